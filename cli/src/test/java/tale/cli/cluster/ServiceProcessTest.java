package tale.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child processes: stopping a service ends its whole tree, even a child that ignores SIGTERM. */
class ServiceProcessTest {

    @TempDir Path dir;

    private ServiceProcess started(String script) throws Exception {
        ServiceProcess p = new ServiceProcess(new ServiceProcess.Spec("svc", List.of("bash", "-c", script),
                Map.of("GREETING", "hello"), dir.resolve("work"), dir.resolve("logs/svc.log"), LocalCluster.freePort()));
        p.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (p.handle().descendants().count() < 2 && System.nanoTime() < deadline) Thread.sleep(50);
        return p;
    }

    @Test
    void stopEndsTheProcessAndItsDescendantsEvenOneIgnoringSigterm() throws Exception {
        ServiceProcess p = started("echo $GREETING; (trap '' TERM; sleep 300) & sleep 300 & wait");
        List<ProcessHandle> tree = ServiceProcess.tree(p.handle());
        assertTrue(tree.size() >= 3, "bash, a subshell and sleeps: " + tree.size());
        long t0 = System.nanoTime();
        p.stop(Duration.ofSeconds(2));
        assertTrue(tree.stream().noneMatch(ProcessHandle::isAlive), "a process of the tree is still alive");
        assertTrue(System.nanoTime() - t0 >= Duration.ofSeconds(2).toNanos(), "the SIGTERM-ignoring child was given the grace period");
        assertEquals("hello", Files.readAllLines(p.spec().log()).get(0), "output and environment reach the log");
    }

    @Test
    void killEndsTheTreeAtOnce() throws Exception {
        ServiceProcess p = started("sleep 300 & sleep 300 & wait");
        List<ProcessHandle> tree = ServiceProcess.tree(p.handle());
        p.kill();
        assertTrue(tree.stream().noneMatch(ProcessHandle::isAlive));
        assertFalse(p.isAlive());
    }

    @Test
    void aServiceThatDiesBeforeReadyIsReportedWithItsLog() throws Exception {
        ServiceProcess p = new ServiceProcess(new ServiceProcess.Spec("broken", List.of("bash", "-c", "echo cannot bind; exit 3"),
                Map.of(), dir.resolve("work"), dir.resolve("logs/broken.log"), LocalCluster.freePort()));
        p.start();
        ClusterException e = assertThrows(ClusterException.class, () -> p.awaitReady(Duration.ofSeconds(20)));
        assertTrue(e.getMessage().contains("broken exited with status 3"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot bind"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("logs/broken.log").toString()), e.getMessage());
    }
}
