package tale.modelserver.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tale.core.model.LayerMask;
import tale.core.model.ModelConfig;
import tale.core.model.TinyCheckpoint;

/**
 * {@code java -jar quarkus-run.jar bench}: serving speed of a full and a pruned profile under the same load.
 * Without {@code --url} it serves a model in this process (by default a generated 24-layer tiny model) and
 * benchmarks itself over HTTP; with {@code --url} it loads a running server.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Tokens/s and p50/p95 latency of the full and a pruned profile under the same load.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--url", description = "benchmark this running server instead of starting one") URI url;
    @Option(names = "--model", description = "served model name (with --url) or checkpoint directory to serve") String model;
    @Option(names = "--profile", defaultValue = "pruned", description = "the pruned profile to compare with full") String profile;
    @Option(names = "--drop", description = "layers the pruned profile removes when serving in-process (default: every 4th)") String drop;
    @Option(names = "--layers", defaultValue = "24", description = "layers of the generated model") int layers;
    @Option(names = "--hidden", defaultValue = "256", description = "hidden size of the generated model") int hidden;
    @Option(names = "--clients", defaultValue = "8") int clients;
    @Option(names = "--requests", defaultValue = "8", description = "requests per client per round") int requests;
    @Option(names = "--rounds", defaultValue = "4", description = "interleaved rounds per profile") int rounds;
    @Option(names = "--prompt-words", defaultValue = "32") int promptWords;
    @Option(names = "--max-tokens", defaultValue = "32", description = "new tokens per request") int maxTokens;

    /** Set when serving in-process: what {@link #serve()} configured. */
    private Path generated;

    /**
     * In-process mode, before Quarkus starts: writes the model if needed and sets the configuration that
     * makes the server serve it as "bench" with the pruned profile, on a free loopback port, without Kafka.
     */
    public void configureServer() throws IOException {
        Path dir;
        if (model != null) {
            dir = Path.of(model);
        } else {
            generated = Files.createTempDirectory("tale-bench");
            dir = generated.resolve("model");
            TinyCheckpoint.Spec spec = new TinyCheckpoint.Spec("llama", layers, hidden, 8, 4, 0, 3 * hidden, 512, 1,
                    tale.core.model.TensorType.F32, 1, false, false, true, 0);
            TinyCheckpoint.write(spec, dir);
        }
        int numLayers = ModelConfig.read(dir).numLayers();
        String removed = drop != null ? drop : everyNth(numLayers, 4);
        LayerMask.parse(numLayers, removed); // fail now on a bad --drop
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        System.setProperty("tale.models.bench.path", dir.toString());
        System.setProperty("tale.models.bench.profiles." + profile, removed);
        System.setProperty("quarkus.http.port", Integer.toString(port));
        System.setProperty("mp.messaging.incoming.selections.enabled", "false");
        System.setProperty("tale.serving.max-tokens", Integer.toString(Math.max(256, maxTokens)));
        url = URI.create("http://127.0.0.1:" + port);
        model = "bench";
    }

    static String everyNth(int layers, int n) {
        StringBuilder s = new StringBuilder();
        for (int l = n - 1; l < layers - 1; l += n) s.append(s.length() > 0 ? "," : "").append(l);
        return s.length() > 0 ? s.toString() : Integer.toString(layers / 2);
    }

    @Override
    public Integer call() throws Exception {
        if (url == null || model == null) throw new IllegalArgumentException("--url needs --model NAME");
        ObjectMapper json = new ObjectMapper();
        awaitReady();
        HttpClient http = HttpClient.newHttpClient();
        JsonNode models = json.readTree(http.send(HttpRequest.newBuilder(url.resolve("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        int numLayers = 0;
        Map<String, Integer> removed = new LinkedHashMap<>();
        for (JsonNode m : models.path("data")) {
            JsonNode tale = m.path("tale");
            if (!tale.path("model").asText().equals(model)) continue;
            numLayers = tale.path("layers").asInt();
            removed.put(tale.path("profile").asText(), tale.path("layers_removed").size());
        }
        if (!removed.containsKey(profile)) throw new IllegalArgumentException("the server has no profile " + model + ":" + profile);
        LoadBenchmark.Settings settings = new LoadBenchmark.Settings(url, model, List.of("full", profile), clients, requests,
                promptWords, maxTokens, rounds);
        System.out.printf("model %s at %s: %d layers; profile %s removes %d%n", model, url, numLayers, profile,
                removed.get(profile));
        Map<String, LoadBenchmark.Stats> stats = new LoadBenchmark(settings).run();
        System.out.print(LoadBenchmark.report(settings, stats, numLayers, removed));
        return 0;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.currentTimeMillis() + 600_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(url.resolve("/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // the server is still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " was not ready within 10 minutes");
    }

    /** Removes the generated model, if any. */
    public void cleanUp() throws IOException {
        if (generated == null) return;
        try (Stream<Path> files = Files.walk(generated)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    public boolean servesInProcess() {
        return url == null;
    }
}
