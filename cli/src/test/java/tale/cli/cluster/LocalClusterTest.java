package tale.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kept cluster is stopped later from its pid file; an id now used by another process is left alone. */
class LocalClusterTest {

    @TempDir Path dir;

    @Test
    void stopRecordedEndsTheRecordedProcessesOnly() throws Exception {
        Process service = new ProcessBuilder("sleep", "300").start();
        Process stranger = new ProcessBuilder("sleep", "300").start();
        try {
            long serviceStart = LocalCluster.startMillis(service.toHandle());
            // The stranger's id with another start time: what a reused process id looks like.
            Files.writeString(dir.resolve(LocalCluster.PIDS_FILE), "worker-1\t" + service.pid() + "\t" + serviceStart + "\n"
                    + "worker-2\t" + stranger.pid() + "\t" + (LocalCluster.startMillis(stranger.toHandle()) - 5000) + "\n");
            assertEquals(List.of(service.toHandle()), LocalCluster.liveRecorded(dir));

            assertEquals(List.of("worker-1"), LocalCluster.stopRecorded(dir));
            assertTrue(service.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(stranger.isAlive(), "a process the cluster did not start was signalled");
            assertFalse(Files.exists(dir.resolve(LocalCluster.PIDS_FILE)));
            assertEquals(List.of(), LocalCluster.stopRecorded(dir), "nothing recorded: nothing to stop");
        } finally {
            ServiceProcess.stopTree(service.toHandle(), Duration.ofSeconds(1));
            ServiceProcess.stopTree(stranger.toHandle(), Duration.ofSeconds(1));
        }
    }

    @Test
    void aTakenPortStopsTheStartBeforeAnyProcessStarts() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        for (String m : ServiceJars.MODULES) {
            Path jar = ServiceJars.jar(repo, m);
            Files.createDirectories(jar.getParent());
            Files.writeString(jar, "not started");
        }
        LocalCluster.Ports free = LocalCluster.Ports.free(1, dir.resolve("kafka"));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            LocalCluster.Ports ports = new LocalCluster.Ports(free.kafka(), free.kafkaState(), taken.getLocalPort(),
                    free.resultsStore(), free.workers(), free.modelServer());
            ClusterException e = org.junit.jupiter.api.Assertions.assertThrows(ClusterException.class, () -> LocalCluster.start(
                    LocalCluster.Options.of(repo, dir.resolve("run"), 1, ports, dir.resolve("models"))));
            assertEquals("port " + taken.getLocalPort() + " on 127.0.0.1 (for orchestrator) is in use by another program", e.getMessage());
            assertFalse(Files.exists(dir.resolve("run").resolve(LocalCluster.PIDS_FILE)), "nothing was started");
        }
    }

    @Test
    void freePortsAreDistinctAndTheBrokerGetsTwoInARow() {
        LocalCluster.Ports p = LocalCluster.Ports.free(2, dir.resolve("kafka"));
        assertEquals(6, java.util.stream.Stream.of(p.kafka(), p.orchestrator(), p.resultsStore(), p.workers().get(0),
                p.workers().get(1), p.modelServer()).distinct().count());
        assertEquals(List.of(18082, 18083), LocalCluster.Ports.fixed(2).workers());
    }
}
