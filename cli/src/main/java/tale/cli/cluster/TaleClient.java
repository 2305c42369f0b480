package tale.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import tale.messages.JobSpec;

/** The orchestrator's job API as a client sees it (bearer token on every call). */
public final class TaleClient {

    /** Requests carry JobSpec (no dates); answers are read as trees. */
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Job states after which nothing changes. */
    public static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    public TaleClient(String orchestratorUrl, String token) {
        this.base = orchestratorUrl;
        this.token = token;
    }

    /** An HTTP answer: status and body. */
    public record Answer(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new ClusterException("not JSON (status " + status + "): " + body);
            }
        }
    }

    /** POST /datasets with the file's bytes; returns the dataset id (the content's SHA-256). */
    public String uploadDataset(Path file, String contentType) {
        try {
            HttpRequest req = authorized("/datasets?name=" + file.getFileName())
                    .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofFile(file)).build();
            Answer a = send(req);
            if (a.status() != 201 && a.status() != 200) throw new ClusterException("POST /datasets answered " + a.status() + ": " + a.body());
            return a.json().path("id").asText();
        } catch (java.io.FileNotFoundException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** POST /jobs; returns the answer as is (202 with the job, or 4xx with the reason). */
    public Answer submit(JobSpec spec) {
        try {
            return send(authorized("/jobs").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(spec))).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** POST /jobs that must be accepted; returns the job id. */
    public String submitAccepted(JobSpec spec) {
        Answer a = submit(spec);
        if (a.status() != 202) throw new ClusterException("POST /jobs answered " + a.status() + ": " + a.body());
        return a.json().path("id").asText();
    }

    /** GET /jobs/{id}. */
    public JsonNode job(String id) {
        Answer a = get("/jobs/" + id);
        if (a.status() != 200) throw new ClusterException("GET /jobs/" + id + " answered " + a.status() + ": " + a.body());
        return a.json();
    }

    public Answer get(String path) {
        return send(authorized(path).GET().build());
    }

    /** Polls GET /jobs/{id} until its state is terminal; tolerates the orchestrator being briefly down. */
    public JsonNode awaitTerminal(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                JsonNode job = job(id);
                if (TERMINAL.contains(job.path("state").asText())) return job;
            } catch (ClusterException | UncheckedIOException e) {
                // restarting: ask again
            }
            if (System.nanoTime() > deadline) throw new ClusterException("job " + id + " did not finish within " + timeout);
            ServiceProcess.sleep(500);
        }
    }

    /**
     * Reads GET /jobs/{id}/events (server-sent events of JobEvent JSON) and hands each event to {@code onEvent} until
     * it returns true or the stream ends. Returns whether {@code onEvent} asked to stop.
     */
    public boolean events(String id, Predicate<JsonNode> onEvent) {
        HttpRequest req = authorized("/jobs/" + id + "/events").header("Accept", "text/event-stream").GET().build();
        try {
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() != 200) {
                resp.body().close();
                throw new ClusterException("GET /jobs/" + id + "/events answered " + resp.statusCode());
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                StringBuilder data = new StringBuilder();
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("data:")) {
                        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                    } else if (line.isEmpty() && data.length() > 0) {
                        JsonNode event = JSON.readTree(data.toString());
                        data.setLength(0);
                        if (onEvent.test(event)) return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while reading job " + id + "'s events");
        }
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
    }

    private Answer send(HttpRequest req) {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(req.method() + " " + req.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted: " + req.method() + " " + req.uri());
        }
    }
}
