package tale.cli.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One service of the local cluster: a {@code java -jar .../quarkus-run.jar} child process on 127.0.0.1 with its own
 * working directory and log file. Stopping it ends its whole process tree.
 */
public final class ServiceProcess {

    /** What to start: the command, its environment additions, its working directory and where its output goes. */
    public record Spec(String name, List<String> command, Map<String, String> env, Path workDir, Path log, int port) {
        public Spec {
            command = List.copyOf(command);
            env = Map.copyOf(env);
        }

        public String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Spec spec;
    private Process process;

    ServiceProcess(Spec spec) {
        this.spec = spec;
    }

    public Spec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public String url() {
        return spec.url();
    }

    /** The running process; null before start. */
    public ProcessHandle handle() {
        return process == null ? null : process.toHandle();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    void start() {
        try {
            Files.createDirectories(spec.workDir());
            Files.createDirectories(spec.log().getParent());
            ProcessBuilder pb = new ProcessBuilder(spec.command()).directory(spec.workDir().toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(spec.log().toFile()));
            pb.environment().putAll(spec.env());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + spec.name() + " (" + String.join(" ", spec.command())
                    + "): " + e.getMessage(), e);
        }
    }

    /** Waits until {@code /q/health/ready} answers 200; fails with the log's last lines if the process dies or time runs out. */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                .GET().build();
        while (true) {
            if (!isAlive()) throw failure("exited with status " + process.exitValue() + " before it was ready");
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for it to be ready");
            }
            if (System.nanoTime() > deadline) throw failure("not ready after " + timeout.toSeconds() + " s");
            sleep(250);
        }
    }

    /** An error naming the service, its log file and the log's last lines. */
    ClusterException failure(String what) {
        return new ClusterException(spec.name() + " " + what + "; log " + spec.log() + ", last lines:\n" + tail(30));
    }

    /** The last {@code lines} lines of the log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(spec.log(), StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream().map(l -> "  | " + l)
                    .collect(Collectors.joining("\n"));
        } catch (IOException | UncheckedIOException e) {
            return "  (log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL to the process and everything it started, at once (a crash, for tests). */
    void kill() {
        if (process == null) return;
        List<ProcessHandle> tree = tree(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        awaitExit(tree, Duration.ofSeconds(10));
    }

    /** SIGTERM to the process and its descendants; SIGKILL to whatever is still alive after {@code grace}. */
    void stop(Duration grace) {
        if (process == null) return;
        stopTree(process.toHandle(), grace);
    }

    /** Ends {@code root} and its descendants: SIGTERM, then SIGKILL after {@code grace}. */
    static void stopTree(ProcessHandle root, Duration grace) {
        List<ProcessHandle> tree = tree(root);
        tree.forEach(ProcessHandle::destroy);
        if (!awaitExit(tree, grace)) {
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            awaitExit(tree, Duration.ofSeconds(10));
        }
    }

    /** The root and its descendants, collected before any is signalled (an orphan is re-parented and lost to us). */
    static List<ProcessHandle> tree(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        return tree;
    }

    static boolean awaitExit(List<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle h : handles) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return handles.stream().noneMatch(ProcessHandle::isAlive);
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                // onExit does not fail
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted");
        }
    }
}
