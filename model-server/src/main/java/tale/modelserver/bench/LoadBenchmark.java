package tale.modelserver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The same closed-loop load against several profiles of one model over HTTP: each of {@code clients}
 * threads sends its requests one after another (/v1/completions, greedy, exactly {@code maxTokens} new
 * tokens thanks to ignore_eos). Profiles are measured in interleaved rounds so that a change in machine
 * load hits them alike.
 */
public final class LoadBenchmark {

    public record Settings(URI base, String model, List<String> profiles, int clients, int requestsPerClient,
                           int promptWords, int maxTokens, int rounds) { }

    /** One profile's totals over all rounds. */
    public record Stats(String profile, int requests, long tokens, double seconds, double p50Ms, double p95Ms) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    private static final String[] WORDS = ("the of and to in is was for on that with as by at from his her an were "
            + "which are this be had not have one their all but has been more who its they new after first other "
            + "also two time may into over only when years most some world state such would between about city").split(" ");

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();

    public LoadBenchmark(Settings settings) {
        this.settings = settings;
    }

    public Map<String, Stats> run() throws Exception {
        Map<String, List<Double>> latencies = new LinkedHashMap<>();
        Map<String, long[]> tokens = new LinkedHashMap<>();
        Map<String, double[]> seconds = new LinkedHashMap<>();
        for (String p : settings.profiles()) {
            latencies.put(p, Collections.synchronizedList(new ArrayList<>()));
            tokens.put(p, new long[1]);
            seconds.put(p, new double[1]);
            round(p, 2, new ArrayList<>(), new long[1]); // warm-up: first-use costs are not measured
        }
        for (int r = 0; r < settings.rounds(); r++) {
            for (String p : settings.profiles()) {
                long[] produced = new long[1];
                long start = System.nanoTime();
                round(p, settings.requestsPerClient(), latencies.get(p), produced);
                seconds.get(p)[0] += (System.nanoTime() - start) / 1e9;
                tokens.get(p)[0] += produced[0];
            }
        }
        Map<String, Stats> out = new LinkedHashMap<>();
        for (String p : settings.profiles()) {
            double[] sorted = latencies.get(p).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            out.put(p, new Stats(p, sorted.length, tokens.get(p)[0], seconds.get(p)[0], percentile(sorted, 50),
                    percentile(sorted, 95)));
        }
        return out;
    }

    /** Every client sends {@code perClient} requests back to back; latencies in ms, tokens summed. */
    private void round(String profile, int perClient, List<Double> latencies, long[] produced) throws Exception {
        String model = profile.equals("full") ? settings.model() : settings.model() + ":" + profile;
        ExecutorService pool = Executors.newFixedThreadPool(settings.clients());
        try {
            List<Future<long[]>> clients = new ArrayList<>();
            for (int c = 0; c < settings.clients(); c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    long sum = 0;
                    for (int i = 0; i < perClient; i++) {
                        long start = System.nanoTime();
                        sum += complete(model, prompt(client * 1000 + i));
                        latencies.add((System.nanoTime() - start) / 1e6);
                    }
                    return new long[] {sum};
                }));
            }
            for (Future<long[]> f : clients) produced[0] += f.get()[0];
        } finally {
            pool.shutdownNow();
        }
    }

    private int complete(String model, String prompt) throws IOException, InterruptedException {
        String body = json.writeValueAsString(Map.of("model", model, "prompt", prompt, "max_tokens", settings.maxTokens(),
                "ignore_eos", true));
        HttpRequest request = HttpRequest.newBuilder(settings.base().resolve("/v1/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
        JsonNode answer = json.readTree(r.body());
        return answer.path("usage").path("completion_tokens").asInt();
    }

    /** A deterministic prompt of {@code promptWords} common words, different per request. */
    private String prompt(int seed) {
        StringBuilder s = new StringBuilder();
        long x = seed * 2654435761L + 1;
        for (int i = 0; i < settings.promptWords(); i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            if (i > 0) s.append(' ');
            s.append(WORDS[(int) Math.floorMod(x >>> 33, (long) WORDS.length)]);
        }
        return s.toString();
    }

    static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The report: per profile tokens/s and latency, and each pruned profile's speed-up against the ideal. */
    public static String report(Settings s, Map<String, Stats> stats, int layers, Map<String, Integer> removedByProfile) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("load: %d clients x %d requests x %d round(s) per profile, %d-word prompts, %d new tokens each%n",
                s.clients(), s.requestsPerClient(), s.rounds(), s.promptWords(), s.maxTokens()));
        out.append(String.format("%-12s %8s %8s %8s %10s %9s %9s%n", "profile", "layers", "requests", "tokens",
                "tokens/s", "p50 ms", "p95 ms"));
        for (Stats st : stats.values()) {
            out.append(String.format("%-12s %8d %8d %8d %10.1f %9.1f %9.1f%n", st.profile(),
                    layers - removedByProfile.getOrDefault(st.profile(), 0), st.requests(), st.tokens(),
                    st.tokensPerSecond(), st.p50Ms(), st.p95Ms()));
        }
        Stats full = stats.get("full");
        for (Stats st : stats.values()) {
            if (st == full || full == null) continue;
            int k = removedByProfile.getOrDefault(st.profile(), 0);
            double speedUp = st.tokensPerSecond() / full.tokensPerSecond();
            double ideal = (double) layers / (layers - k);
            out.append(String.format("%s vs full: speed-up %.3fx (tokens/s), p50 latency %.3fx; ideal L/(L-k) = %d/%d = %.3fx; "
                    + "measured/ideal = %.3f%n", st.profile(), speedUp, full.p50Ms() / st.p50Ms(), layers, layers - k,
                    ideal, speedUp / ideal));
        }
        return out.toString();
    }

    static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
}
