package tale.cli.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The local single-node Kafka broker of {@code deploy/kafka.sh} on 127.0.0.1 (port 19092 by default). A broker that
 * was already running (someone else's) is used and left running; one this class started is stopped by {@link #stop()}.
 */
final class KafkaBroker {

    static final String HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 19092;

    private final Path repo;
    private final int port;
    private final Path state;
    private final Path logDir;
    private boolean owned;

    /**
     * @param port  client port (the controller takes port + 1)
     * @param state the broker's pid file, logs and data; null: the script's default ({@code /tmp/tale-kafka-<port>})
     */
    KafkaBroker(Path repo, int port, Path state, Path logDir) {
        this.repo = repo;
        this.port = port;
        this.state = state;
        this.logDir = logDir;
    }

    String bootstrap() {
        return HOST + ":" + port;
    }

    int port() {
        return port;
    }

    Path state() {
        return state != null ? state : Path.of("/tmp", "tale-kafka-" + port);
    }

    boolean owned() {
        return owned;
    }

    /** The broker's process, when the script records it in its pid file. */
    Optional<ProcessHandle> process() {
        Path pidFile = state().resolve("broker.pid");
        try {
            if (!Files.exists(pidFile)) return Optional.empty();
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    void start() {
        if (listening()) return;
        run("start");
        owned = true;
        if (!listening()) throw new ClusterException("deploy/kafka.sh start ended but nothing listens on " + bootstrap()
                + "; log " + log());
    }

    void stop() {
        if (owned) stopScript();
        owned = false;
    }

    void stopScript() {
        run("stop");
    }

    private void run(String command) {
        Path script = repo.resolve("deploy").resolve("kafka.sh");
        if (!Files.isExecutable(script)) throw new ClusterException(script + " is missing or not executable");
        try {
            Files.createDirectories(logDir);
            ProcessBuilder pb = new ProcessBuilder(List.of(script.toString(), command)).directory(repo.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
            pb.environment().put("TALE_KAFKA_PORT", String.valueOf(port));
            pb.environment().put("TALE_KAFKA_STATE", state().toString());
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                ServiceProcess.stopTree(p.toHandle(), java.time.Duration.ofSeconds(5));
                throw new ClusterException("deploy/kafka.sh " + command + " did not finish in 120 s; log " + log());
            }
            if (p.exitValue() != 0) {
                throw new ClusterException("deploy/kafka.sh " + command + " failed with status " + p.exitValue() + "; log "
                        + log() + ":\n" + tail());
            }
        } catch (IOException e) {
            throw new ClusterException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while running deploy/kafka.sh " + command);
        }
    }

    private Path log() {
        return logDir.resolve("kafka-script.log");
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
