package tale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.cli.cluster.ClusterException;
import tale.cli.cluster.LocalCluster;
import tale.cli.cluster.ServiceJars;
import tale.cli.cluster.ServiceProcess;
import tale.cli.cluster.TaleClient;
import tale.core.InputException;
import tale.core.model.Model;
import tale.core.search.Objective;
import tale.core.search.SearchInputs;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.messages.JobSpec;

/**
 * The whole system in one command: builds the services if needed, starts them as separate processes with a Kafka
 * broker, trains (or reuses) the demo model, runs a TALE search job over REST with live progress, prints the result
 * table with measured speed-ups, asks the model server for a completion under the deployed profile, and stops
 * everything (or keeps it running with --keep).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole TALE system locally: broker, orchestrator, workers, results store and model server; "
                + "one search job on BIG-Bench-Hard boolean expressions with the demo model.")
final class DemoCommand implements Callable<Integer> {

    static final String MODEL_NAME = "demo";
    static final String TASK = "bbh_boolean_expressions";

    @Spec CommandSpec spec;
    @Option(names = "--workers", defaultValue = "2", description = "evaluator workers (default: ${DEFAULT-VALUE})") int workers;
    @Option(names = "--seed", defaultValue = "0", description = "split seed of the job (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--keep", description = "leave the services running at the end (stop them with --stop)") boolean keep;
    @Option(names = "--stop", description = "stop the services a --keep run left running, then exit") boolean stop;
    @Option(names = "--deploy", defaultValue = "final",
            description = "configuration to deploy: best, bsba or final (default: ${DEFAULT-VALUE}, the deepest pruning within epsilon)")
    String deploy;
    @Option(names = "--limit", description = "at most N rows per split (default: all)") Integer limit;
    @Option(names = "--epsilon", description = "accuracy drop allowed below the baseline (default: tale search's)") Double epsilon;
    @Option(names = "--data", description = "boolean-expression task file, excluded from training (default: the BIG-Bench-Hard "
            + "file when present, else generated held-out rows)")
    Path data;
    @Option(names = "--run-dir", description = "data and logs of the services (default: ~/.cache/tale/demo/run)") Path runDir;
    @Option(names = "--model-root", description = "where the demo model is trained or reused (default: ~/.cache/tale/demo-model)")
    Path modelRoot;
    @Option(names = "--repo", description = "the TALE source tree (default: found from this jar's location)") Path repo;
    @Option(names = "--free-ports", description = "listen on free ports and run a broker of its own (default: fixed ports 18080.., Kafka 19092)")
    boolean freePorts;
    @Option(names = "--timeout", defaultValue = "PT30M", description = "longest the job may run (default: ${DEFAULT-VALUE})") Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "tale");
        Path run = (runDir != null ? runDir : cache.resolve("demo").resolve("run")).toAbsolutePath();
        if (stop) {
            List<String> stopped = LocalCluster.stopRecorded(run);
            out.println(stopped.isEmpty() ? "tale demo: nothing was running in " + run : "tale demo: stopped " + String.join(", ", stopped));
            return 0;
        }
        if (!List.of("best", "bsba", "final").contains(deploy)) throw new InputException("--deploy must be best, bsba or final, got \"" + deploy + "\"");
        if (workers < 1) throw new InputException("--workers must be at least 1, got " + workers);
        if (!LocalCluster.liveRecorded(run).isEmpty()) {
            throw new InputException("a demo left running by --keep uses " + run + ": stop it with ./tale demo --stop");
        }
        Path root = (repo != null ? repo : findRepo()).toAbsolutePath();
        Path models = (modelRoot != null ? modelRoot : cache.resolve("demo-model")).toAbsolutePath();
        // The measurement below runs in this JVM: one engine thread, as each worker has.
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        long t0 = System.nanoTime();
        try {
            clean(run);
            ServiceJars.ensureBuilt(root, run.resolve("logs").resolve("build.log"), err);
            Path bbh = bbhFile(root);
            Path model = demoModel(models, bbh, out, err);
            Path taskFile = taskFile(bbh, model, err);
            LocalCluster.Ports ports = freePorts ? LocalCluster.Ports.free(workers, run.resolve("kafka"))
                    : LocalCluster.Ports.fixed(workers);
            err.printf("tale demo: starting Kafka, results-store, orchestrator, %d worker(s) and model-server (logs in %s)%n",
                    workers, run.resolve("logs"));
            err.flush();
            LocalCluster cluster = LocalCluster.start(LocalCluster.Options.of(root, run, workers, ports, model.getParent())
                    .withServedModel(new LocalCluster.ServedModel(MODEL_NAME, model)));
            try {
                int status = runJob(cluster, model, taskFile, out, err);
                out.printf(Locale.ROOT, "%ndemo took %.0f s%n", (System.nanoTime() - t0) / 1e9);
                if (keep && status == 0) {
                    cluster.keepRunning();
                    printKept(cluster, run, out);
                }
                return status;
            } catch (RuntimeException e) {
                err.println("tale demo: " + e.getMessage());
                err.println(cluster.logTails(15));
                return 1;
            } finally {
                if (!keep) {
                    err.println("tale demo: stopping the services...");
                    err.flush();
                }
                cluster.close();
            }
        } catch (ClusterException e) {
            err.println("tale demo: " + e.getMessage());
            if (!freePorts && e.getMessage().contains("in use")) {
                err.println("tale demo: a demo kept with --keep is stopped by ./tale demo --stop; --free-ports runs beside other services");
            }
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int runJob(LocalCluster cluster, Path model, Path taskFile, PrintWriter out, PrintWriter err) {
        TaleClient client = new TaleClient(cluster.orchestratorUrl(), cluster.apiToken());
        String dataset = client.uploadDataset(taskFile, taskFile.toString().endsWith(".jsonl") ? "application/x-ndjson" : "application/json");
        JobSpec job = new JobSpec(MODEL_NAME, TASK, dataset, null, seed, null, null, null, null, limit, null, epsilon,
                null, null, null, null, null, null, null, deploy);
        String id = client.submitAccepted(job);
        err.printf("tale demo: job %s submitted (dataset %s, %s); progress:%n", id, taskFile.getFileName(), dataset.substring(0, 12));
        err.flush();
        JsonNode finished = new JobProgress(err).follow(client, id, timeout);
        if (!finished.path("state").asText().equals("succeeded")) {
            err.println("tale demo: job " + id + " " + finished.path("state").asText() + ": " + finished.path("error").asText());
            err.println(cluster.logTails(15));
            return 1;
        }
        JsonNode summary = finished.path("summary");
        err.println("tale demo: measuring the speed of each configuration (same prompts, same tokens)...");
        err.flush();
        Map<List<Integer>, Double> seconds;
        SearchInputs inputs = new SearchInputs(TASK, taskFile, seed, null, null, 0, null, null, limit, null);
        SearchInputs.Data rows = inputs.load(Objective.ACCURACY);
        try (Model m = Model.load(model)) {
            seconds = SpeedComparison.seconds(m, rows, DemoReport.removals(summary));
        }
        out.println();
        out.printf("TALE on %s, %s (%d layers); job %s%n", TASK, MODEL_NAME, summary.path("search").path("numLayers").asInt(), id);
        out.print(DemoReport.table(summary, seconds));
        out.printf(Locale.ROOT, "measured here: %d test prompts x %d new tokens, median of %d rounds of CPU time, 1 engine thread; speed-up = time of the full model / "
                + "time with the layers removed%n",
                Math.min(SpeedComparison.MAX_PROMPTS, rows.test().size()), SpeedComparison.NEW_TOKENS, SpeedComparison.ROUNDS);
        out.flush();
        List<Integer> deployed = DemoReport.removed(summary.path(deploy));
        if (deployed.size() < summary.path("search").path("numLayers").asInt()) {
            askModelServer(cluster, rows, deployed, out);
        } else {
            // A selection removing every layer is refused by its own message type: nothing to deploy or ask.
            out.println("\nthe " + deploy + " configuration removes every layer (an untrained model scores 0 everywhere): "
                    + "nothing is deployed to the model server");
        }
        out.println("dashboard: " + cluster.resultsStoreUrl() + "/  (job " + id + ")");
        out.flush();
        return 0;
    }

    /** Waits until the model server applied the job's selection, then asks it for a completion under that profile. */
    private void askModelServer(LocalCluster cluster, SearchInputs.Data rows, List<Integer> deployed, PrintWriter out) {
        String profile = MODEL_NAME + ":" + TASK;
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            JsonNode models = json(send(http, HttpRequest.newBuilder(URI.create(cluster.modelServerUrl() + "/v1/models")).GET().build()).body());
            boolean applied = false;
            for (JsonNode m : models.path("data")) {
                if (m.path("id").asText().equals(profile) && DemoReport.ints(m.path("tale").path("layers_removed")).equals(deployed)) {
                    applied = true;
                }
            }
            if (applied) break;
            if (System.nanoTime() > deadline) throw new ClusterException("the model server did not apply the selection for " + profile + " within 120 s");
            ServiceProcess.sleep(500);
        }
        Example example = rows.test().isEmpty() ? rows.search().get(0) : rows.test().get(0);
        String prompt;
        try (Model m = Model.load(cluster.options().servedModel().dir())) {
            prompt = new Prompts(rows.task(), m.chatTemplate(), rows.demonstrations()).text(example);
        }
        String body;
        try {
            body = TaleClient.JSON.writeValueAsString(Map.of("model", profile, "prompt", prompt, "max_tokens", 5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(cluster.modelServerUrl() + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (r.statusCode() != 200) throw new ClusterException("the model server answered " + r.statusCode() + ": " + r.body());
        String text = json(r.body()).path("choices").path(0).path("text").asText();
        out.printf("%nmodel server, profile %s (layers removed: %s):%n  %s -> \"%s\" (expected %s)%n", profile,
                r.headers().firstValue("X-Tale-Layers-Removed").orElse("?"), example.prompt(), text.strip(),
                example.choices().get(example.gold()));
    }

    private void printKept(LocalCluster cluster, Path run, PrintWriter out) {
        out.println();
        out.println("services left running (--keep):");
        out.println("  orchestrator   " + cluster.orchestratorUrl() + "   (bearer token in " + run.resolve(LocalCluster.TOKENS_FILE) + ")");
        out.println("  results-store  " + cluster.resultsStoreUrl() + "/ (dashboard)");
        for (int i = 1; i <= workers; i++) {
            out.println("  worker-" + i + "       " + cluster.service("worker-" + i).orElseThrow().url());
        }
        out.println("  model-server   " + cluster.modelServerUrl() + "/v1/models");
        out.println("  kafka          " + cluster.kafkaBootstrap());
        out.println("  logs           " + run.resolve("logs"));
        out.println("stop them with: ./tale demo --stop" + (runDir != null ? " --run-dir " + run : ""));
    }

    /** The demo model, {@code <root>/demo}: trained by {@code tale train-demo}, which reuses a model it trained before. */
    private Path demoModel(Path root, Path bbh, PrintWriter out, PrintWriter err) {
        Path dir = root.resolve(MODEL_NAME);
        err.println("tale demo: training or reusing the demo model in " + dir + " (tale train-demo)...");
        err.flush();
        List<String> args = new ArrayList<>(List.of("train-demo", "--out", dir.toString()));
        if (bbh != null) args.addAll(List.of("--bbh", bbh.toString()));
        int status = Tale.run(out, err, args.toArray(String[]::new));
        if (status != 0) throw new ClusterException("tale train-demo --out " + dir + " failed with status " + status);
        return dir;
    }

    /** The task rows the job runs on: --data, else the BIG-Bench-Hard file when this machine has it; else null. */
    private Path bbhFile(Path root) {
        if (data != null) {
            if (!Files.isRegularFile(data)) throw new InputException("--data " + data + " is not a file");
            return data.toAbsolutePath();
        }
        for (Path p : List.of(root.resolve("../shared/data/tasks/bbh/boolean_expressions.json"),
                Path.of("/work/shared/data/tasks/bbh/boolean_expressions.json"))) {
            if (Files.isRegularFile(p)) return p.normalize();
        }
        return null;
    }

    /** The rows to search on: the BBH file, else the generated held-out rows train-demo wrote beside the model. */
    private static Path taskFile(Path bbh, Path model, PrintWriter err) {
        if (bbh != null) return bbh;
        Path heldOut = model.resolve("data").resolve("heldout.jsonl");
        if (!Files.isRegularFile(heldOut)) throw new ClusterException("train-demo wrote no held-out rows at " + heldOut);
        err.println("tale demo: no BIG-Bench-Hard file here (../shared/data/tasks/bbh): searching on generated held-out rows " + heldOut);
        return heldOut;
    }

    /** Empties the run directory of an earlier, stopped run (its logs and embedded databases). */
    private static void clean(Path run) {
        if (!Files.exists(run)) return;
        try (Stream<Path> files = Files.walk(run)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) if (!p.equals(run)) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the run directory " + run + ": " + e.getMessage(), e);
        }
    }

    /** The source tree this jar was built from: the first folder above it with deploy/kafka.sh and pom.xml. */
    static Path findRepo() {
        try {
            Path p = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            for (; p != null; p = p.getParent()) {
                if (Files.exists(p.resolve("deploy").resolve("kafka.sh")) && Files.exists(p.resolve("pom.xml"))) return p;
            }
        } catch (java.net.URISyntaxException e) {
            // fall through
        }
        throw new InputException("cannot find the TALE source tree above this jar: pass --repo DIR");
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(req.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted");
        }
    }

    private static JsonNode json(String s) {
        try {
            return TaleClient.JSON.readTree(s);
        } catch (IOException e) {
            throw new ClusterException("not JSON: " + s);
        }
    }
}
