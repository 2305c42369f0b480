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
    void freePortsAreDistinctAndTheBrokerGetsTwoInARow() {
        LocalCluster.Ports p = LocalCluster.Ports.free(2, dir.resolve("kafka"));
        assertEquals(6, java.util.stream.Stream.of(p.kafka(), p.orchestrator(), p.resultsStore(), p.workers().get(0),
                p.workers().get(1), p.modelServer()).distinct().count());
        assertEquals(List.of(18082, 18083), LocalCluster.Ports.fixed(2).workers());
    }
}
