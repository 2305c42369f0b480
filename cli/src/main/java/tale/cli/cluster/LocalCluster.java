package tale.cli.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole TALE system on this machine, each service a separate process on 127.0.0.1: the Kafka broker
 * ({@code deploy/kafka.sh}), results-store, orchestrator, N evaluator-workers and (optionally) model-server, each
 * {@code java -jar <module>/target/quarkus-app/quarkus-run.jar} with its port, tokens, working directory and log
 * file under the run directory. Used by {@code tale demo} and the multi-process acceptance tests.
 *
 * <p>{@link #close()} stops every process it started (SIGTERM, then SIGKILL after a grace period), including each
 * child's own descendants; so does a shutdown hook (Ctrl-C) unless the cluster is kept on purpose. The processes
 * are recorded in {@code cluster.pids} so that {@link #stopRecorded(Path)} can end a kept cluster later.
 */
public final class LocalCluster implements AutoCloseable {

    /**
     * The ports the services listen on.
     *
     * @param kafka      the broker's client port (its controller takes kafka + 1)
     * @param kafkaState the broker's pid file, logs and data; null: deploy/kafka.sh's default for the port, so that a
     *                   broker already running there (started by anyone with the script) is shared
     */
    public record Ports(int kafka, Path kafkaState, int orchestrator, int resultsStore, List<Integer> workers,
                        int modelServer) {
        public Ports {
            workers = List.copyOf(workers);
        }

        /** Fixed ports: Kafka 19092, orchestrator 18080, results-store 18081, workers 18082.., model-server 18090. */
        public static Ports fixed(int workers) {
            if (workers > 8) throw new IllegalArgumentException("at most 8 workers on the fixed ports, asked " + workers);
            List<Integer> w = new ArrayList<>();
            for (int i = 0; i < workers; i++) w.add(18082 + i);
            return new Ports(KafkaBroker.DEFAULT_PORT, null, 18080, 18081, w, 18090);
        }

        /** Ports free right now and a broker of its own in {@code kafkaState} (tests beside other people's services). */
        public static Ports free(int workers, Path kafkaState) {
            List<Integer> w = new ArrayList<>();
            for (int i = 0; i < workers; i++) w.add(freePort());
            return new Ports(freePortPair(), kafkaState, freePort(), freePort(), w, freePort());
        }
    }

    /** A model the model server serves: its name (as jobs name it) and checkpoint directory. */
    public record ServedModel(String name, Path dir) { }

    /**
     * What to start.
     *
     * @param repo         the repository root (holds deploy/kafka.sh and the modules' target folders)
     * @param runDir       data and logs of this run
     * @param workers      evaluator workers to start
     * @param ports        where each service listens
     * @param modelRoot    the folder the workers resolve model names in
     * @param servedModel  the model the model server serves; null: no model server
     * @param dbUrl        JDBC URL of PostgreSQL for orchestrator and results-store; null: their embedded databases
     * @param extraEnv     more environment per service name ({@code orchestrator}, {@code worker-1}, ...) or {@code *}
     * @param readyTimeout how long each service may take to become ready
     */
    public record Options(Path repo, Path runDir, int workers, Ports ports, Path modelRoot, ServedModel servedModel,
                          String dbUrl, Map<String, Map<String, String>> extraEnv, Duration readyTimeout) {
        public Options {
            if (workers < 1) throw new IllegalArgumentException("at least one worker, asked " + workers);
            if (ports.workers().size() < workers) throw new IllegalArgumentException("a port per worker is needed");
            extraEnv = extraEnv == null ? Map.of() : Map.copyOf(extraEnv);
        }

        public static Options of(Path repo, Path runDir, int workers, Ports ports, Path modelRoot) {
            return new Options(repo, runDir, workers, ports, modelRoot, null, null, Map.of(), Duration.ofSeconds(180));
        }

        public Options withServedModel(ServedModel m) {
            return new Options(repo, runDir, workers, ports, modelRoot, m, dbUrl, extraEnv, readyTimeout);
        }

        public Options withDbUrl(String url) {
            return new Options(repo, runDir, workers, ports, modelRoot, servedModel, url, extraEnv, readyTimeout);
        }

        public Options withExtraEnv(Map<String, Map<String, String>> env) {
            return new Options(repo, runDir, workers, ports, modelRoot, servedModel, dbUrl, env, readyTimeout);
        }
    }

    public static final String PIDS_FILE = "cluster.pids";
    public static final String TOKENS_FILE = "tokens.properties";
    public static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Options options;
    private final String apiToken = randomToken();
    private final String adminToken = randomToken();
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final KafkaBroker kafka;
    private Thread shutdownHook;
    private boolean stopped;

    private LocalCluster(Options options) {
        this.options = options;
        this.kafka = new KafkaBroker(options.repo(), options.ports().kafka(), options.ports().kafkaState(),
                options.runDir().resolve("logs"));
    }

    /**
     * Starts the broker and every service and waits until each is ready; on failure stops whatever it started and
     * throws a {@link ClusterException} naming the service and the last lines of its log.
     */
    public static LocalCluster start(Options options) {
        LocalCluster c = new LocalCluster(options);
        c.shutdownHook = new Thread(c::stopQuietly, "tale-cluster-stop");
        Runtime.getRuntime().addShutdownHook(c.shutdownHook);
        try {
            c.startAll();
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void startAll() {
        Path jarsMissing = ServiceJars.firstMissing(options.repo());
        if (jarsMissing != null) throw new ClusterException("service jar " + jarsMissing + " is missing: build the services first");
        checkPortsFree();
        try {
            Files.createDirectories(options.runDir());
            Files.writeString(options.runDir().resolve(TOKENS_FILE), "api.token=" + apiToken + "\nadmin.token=" + adminToken
                    + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the run directory " + options.runDir() + ": " + e.getMessage(), e);
        }
        kafka.start();
        record();
        // The results store first, so that it sees every job event from the start.
        startAndAwait(List.of(add(resultsStore())));
        startAndAwait(List.of(add(orchestrator())));
        List<ServiceProcess> rest = new ArrayList<>();
        for (int i = 1; i <= options.workers(); i++) rest.add(add(worker(i)));
        if (options.servedModel() != null) rest.add(add(modelServer()));
        startAndAwait(rest);
    }

    /** Fails before starting anything when a service's port is taken (a service would die at start-up otherwise). */
    private void checkPortsFree() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("orchestrator", options.ports().orchestrator());
        ports.put("results-store", options.ports().resultsStore());
        for (int i = 1; i <= options.workers(); i++) ports.put("worker-" + i, options.ports().workers().get(i - 1));
        if (options.servedModel() != null) ports.put("model-server", options.ports().modelServer());
        ports.forEach((name, port) -> {
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                // free
            } catch (IOException e) {
                throw new ClusterException("port " + port + " on 127.0.0.1 (for " + name + ") is in use by another program");
            }
        });
    }

    private ServiceProcess add(ServiceProcess.Spec spec) {
        ServiceProcess p = new ServiceProcess(spec);
        services.put(spec.name(), p);
        return p;
    }

    /** Starts the processes together (they load in parallel), then waits for each to be ready. */
    private void startAndAwait(List<ServiceProcess> processes) {
        for (ServiceProcess p : processes) p.start();
        record();
        for (ServiceProcess p : processes) p.awaitReady(options.readyTimeout());
    }

    private ServiceProcess.Spec resultsStore() {
        Map<String, String> env = commonEnv("results-store");
        env.put("TALE_RESULTS_DATA_DIR", dir("results-store").resolve("data").toString());
        db(env);
        return spec("results-store", "results-store", options.ports().resultsStore(), env, "-Xmx512m");
    }

    private ServiceProcess.Spec orchestrator() {
        Map<String, String> env = commonEnv("orchestrator");
        db(env);
        env.put("TALE_ORCHESTRATOR_DATA_DIR", dir("orchestrator").resolve("data").toString());
        env.put("TALE_ORCHESTRATOR_MODEL_ROOT", options.modelRoot().toString());
        return spec("orchestrator", "orchestrator", options.ports().orchestrator(), env, "-Xmx512m");
    }

    private ServiceProcess.Spec worker(int i) {
        String name = "worker-" + i;
        Map<String, String> env = commonEnv(name);
        env.put("TALE_WORKER_ID", name);
        env.put("TALE_WORKER_MODEL_ROOT", options.modelRoot().toString());
        env.put("TALE_WORKER_DATA_CACHE", dir(name).resolve("datasets").toString());
        env.put("TALE_WORKER_ORCHESTRATOR_URL", orchestratorUrl());
        env.put("TALE_WORKER_DEVICE", "cpu");
        env.put("TALE_WORKER_PRECISION", "f32");
        env.put("TALE_THREADS", "1");
        return spec(name, "evaluator-worker", options.ports().workers().get(i - 1), env, "-Xmx1g");
    }

    private ServiceProcess.Spec modelServer() {
        Map<String, String> env = commonEnv("model-server");
        env.put("TALE_ADMIN_TOKEN", adminToken);
        env.put("TALE_THREADS", "1");
        ServedModel m = options.servedModel();
        return spec("model-server", "model-server", options.ports().modelServer(), env, "-Xmx1g",
                "-Dtale.models.\"" + m.name() + "\".path=" + m.dir().toAbsolutePath());
    }

    private Map<String, String> commonEnv(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap());
        env.put("TALE_API_TOKEN", apiToken);
        env.put("DJL_OFFLINE", "true");
        env.put("OPT_OUT_TRACKING", "true");
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.putAll(options.extraEnv().getOrDefault("*", Map.of()));
        env.putAll(options.extraEnv().getOrDefault(name, Map.of()));
        return env;
    }

    /** PostgreSQL when a URL is given (extraEnv may add TALE_DB_USERNAME, TALE_DB_SCHEMA); else the embedded database. */
    private void db(Map<String, String> env) {
        if (options.dbUrl() != null) env.putIfAbsent("TALE_DB_URL", options.dbUrl());
    }

    private ServiceProcess.Spec spec(String name, String module, int port, Map<String, String> env, String heap,
                                     String... properties) {
        List<String> cmd = new ArrayList<>(List.of(javaExecutable(), heap, "-XX:+UseSerialGC", "-Dai.djl.offline=true",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port));
        cmd.addAll(List.of(properties));
        cmd.addAll(List.of("-jar", ServiceJars.jar(options.repo(), module).toString()));
        return new ServiceProcess.Spec(name, cmd, env, dir(name), options.runDir().resolve("logs").resolve(name + ".log"),
                port);
    }

    private Path dir(String name) {
        return options.runDir().resolve(name);
    }

    // ---- what callers use

    public Options options() {
        return options;
    }

    public String apiToken() {
        return apiToken;
    }

    public String adminToken() {
        return adminToken;
    }

    public String kafkaBootstrap() {
        return kafka.bootstrap();
    }

    public String orchestratorUrl() {
        return "http://127.0.0.1:" + options.ports().orchestrator();
    }

    public String resultsStoreUrl() {
        return "http://127.0.0.1:" + options.ports().resultsStore();
    }

    public String modelServerUrl() {
        return "http://127.0.0.1:" + options.ports().modelServer();
    }

    public Optional<ServiceProcess> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    public List<ServiceProcess> services() {
        return List.copyOf(services.values());
    }

    /** Every process this cluster started (services and a broker it owns), alive or not. */
    public List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        services.values().stream().map(ServiceProcess::handle).filter(h -> h != null).forEach(all::add);
        kafka.process().ifPresent(all::add);
        return all;
    }

    /** SIGKILL to worker {@code i} (1-based), as a crash would end it. */
    public void killWorker(int i) {
        ServiceProcess w = services.get("worker-" + i);
        if (w == null) throw new IllegalArgumentException("no worker-" + i);
        w.kill();
    }

    /** Stops the orchestrator (SIGTERM) and starts it again with the same configuration; waits until it is ready. */
    public void restartOrchestrator() {
        ServiceProcess old = services.get("orchestrator");
        old.stop(STOP_GRACE);
        ServiceProcess fresh = new ServiceProcess(old.spec());
        services.put("orchestrator", fresh);
        startAndAwait(List.of(fresh));
    }

    /** The last lines of every service's log, for a failure message. */
    public String logTails(int lines) {
        StringBuilder sb = new StringBuilder();
        for (ServiceProcess p : services.values()) {
            sb.append(p.name()).append(" (").append(p.spec().log()).append("):\n").append(p.tail(lines)).append('\n');
        }
        return sb.toString();
    }

    /** Leaves everything running when this JVM exits (tale demo --keep); {@link #stopRecorded} ends it later. */
    public void keepRunning() {
        removeHook();
        stopped = true;
    }

    /** Stops every service (reverse start order) and the broker if this cluster started it. */
    @Override
    public void close() {
        removeHook();
        stopQuietly();
    }

    private synchronized void stopQuietly() {
        if (stopped) return;
        stopped = true;
        List<ServiceProcess> reversed = new ArrayList<>(services.values());
        java.util.Collections.reverse(reversed);
        // Workers and the model server first, all at once: they hold no state another process needs.
        List<Thread> stoppers = new ArrayList<>();
        for (ServiceProcess p : reversed) {
            Thread t = new Thread(() -> p.stop(STOP_GRACE), "stop-" + p.name());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kafka.stop();
    }

    private void removeHook() {
        if (shutdownHook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running
        }
        shutdownHook = null;
    }

    /**
     * Writes cluster.pids: a tab-separated {@code name pid startMillis} line per process (the start time guards
     * against reused ids), and {@code kafka-owned port state repo} when this cluster started the broker.
     */
    private void record() {
        StringBuilder sb = new StringBuilder();
        for (ServiceProcess p : services.values()) {
            ProcessHandle h = p.handle();
            if (h != null) sb.append(p.name()).append('\t').append(h.pid()).append('\t').append(startMillis(h)).append('\n');
        }
        if (kafka.owned()) {
            kafka.process().ifPresent(h -> sb.append("kafka\t").append(h.pid()).append('\t').append(startMillis(h)).append('\n'));
            sb.append("kafka-owned\t").append(kafka.port()).append('\t').append(kafka.state()).append('\t')
                    .append(options.repo()).append('\n');
        }
        try {
            Files.writeString(options.runDir().resolve(PIDS_FILE), sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + options.runDir().resolve(PIDS_FILE), e);
        }
    }

    /**
     * Stops a cluster recorded in {@code runDir/cluster.pids} by an earlier process (tale demo --keep); returns the
     * names of the processes it stopped. Processes whose id now belongs to another program are left alone.
     */
    public static List<String> stopRecorded(Path runDir) {
        Path file = runDir.resolve(PIDS_FILE);
        List<String> stopped = new ArrayList<>();
        if (!Files.exists(file)) return stopped;
        try {
            KafkaBroker broker = null;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f[0].equals("kafka-owned") && f.length == 4) {
                    broker = new KafkaBroker(Path.of(f[3]), Integer.parseInt(f[1]), Path.of(f[2]), runDir.resolve("logs"));
                    continue;
                }
                if (f.length != 3 || f[0].equals("kafka")) continue;
                Optional<ProcessHandle> h = live(Long.parseLong(f[1]), Long.parseLong(f[2]));
                if (h.isPresent()) {
                    ServiceProcess.stopTree(h.get(), STOP_GRACE);
                    stopped.add(f[0]);
                }
            }
            if (broker != null) {
                broker.stopScript();
                stopped.add("kafka");
            }
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return stopped;
    }

    /** The recorded processes of {@code runDir} that are still alive. */
    public static List<ProcessHandle> liveRecorded(Path runDir) {
        Path file = runDir.resolve(PIDS_FILE);
        List<ProcessHandle> live = new ArrayList<>();
        if (!Files.exists(file)) return live;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f.length == 3) live(Long.parseLong(f[1]), Long.parseLong(f[2])).ifPresent(live::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return live;
    }

    private static Optional<ProcessHandle> live(long pid, long startMillis) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> startMillis(h) == startMillis);
    }

    static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String randomToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A free port whose successor is free too (the broker's controller listens on port + 1). */
    static int freePortPair() {
        for (int i = 0; i < 50; i++) {
            int p = freePort();
            try (ServerSocket s = new ServerSocket(p + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new ClusterException("no two consecutive free ports for the Kafka broker");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port: " + e.getMessage(), e);
        }
    }
}
