package tale.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tale.cli.cluster.LocalCluster;

/**
 * {@code ./tale demo} end to end, as a user runs it (on free ports and with fewer rows, so it can run beside other
 * work): exit code 0, the result table, a completion from the model server, and no process left behind.
 */
class DemoIT {

    /** A demo run: its process, run directory and output file, and every process seen under it while it ran. */
    private record Run(Process demo, Path dir, Path out, Set<ProcessHandle> seen) {
        static Run start() throws Exception {
            Path repo = Fixtures.repo();
            Path dir = Files.createDirectories(repo.resolve("services-it/target/demo-" + UUID.randomUUID().toString().substring(0, 8)));
            Path out = dir.resolveSibling(dir.getFileName() + ".out");
            Process demo = new ProcessBuilder(repo.resolve("tale").toString(), "demo", "--free-ports", "--workers", "2",
                    "--limit", "24", "--run-dir", dir.toString()).directory(repo.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            return new Run(demo, dir, out, ConcurrentHashMap.newKeySet());
        }

        /** Waits up to {@code seconds} for the demo to end (or for {@code until} to appear in its output). */
        boolean await(int seconds, String until) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!demo.waitFor(500, TimeUnit.MILLISECONDS)) {
                // The broker is started by a script and re-parented: it is seen through the pid file.
                demo.descendants().forEach(seen::add);
                seen.addAll(LocalCluster.liveRecorded(dir));
                if (until != null && output().contains(until)) return true;
                if (System.nanoTime() > deadline) return false;
            }
            return true;
        }

        String output() throws java.io.IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        List<ProcessHandle> alive() {
            List<ProcessHandle> alive = new ArrayList<>(seen.stream().filter(ProcessHandle::isAlive).toList());
            alive.addAll(LocalCluster.liveRecorded(dir));
            return alive;
        }
    }

    @Test
    void aStoppedDemoLeavesNoProcess() throws Exception {
        Run run = Run.start();
        assertTrue(run.await(900, "submitted"), run.output());
        assertTrue(run.demo().isAlive(), run.output());
        run.demo().destroy(); // SIGTERM: what Ctrl-C's SIGINT also does to a JVM, its shutdown hooks run
        assertTrue(run.demo().waitFor(120, TimeUnit.SECONDS), "the demo did not end within 120 s of SIGTERM");
        List<ProcessHandle> alive = run.alive();
        assertTrue(alive.isEmpty(), "left running: " + alive.stream().map(h -> h.pid() + " " + h.info().command().orElse("?")).toList());
        assertTrue(run.seen().size() >= 5, "the demo had started the services as processes: " + run.seen().size());
    }

    @Test
    void theDemoEndsWithTheResultTableAndLeavesNoProcess() throws Exception {
        Run run = Run.start();
        assertTrue(run.await(1800, null), "the demo did not end within 30 min:\n" + run.output());
        Process demo = run.demo();
        Set<ProcessHandle> seen = run.seen();
        String output = run.output();
        assertEquals(0, demo.exitValue(), output);
        for (String row : List.of("baseline", "best", "bsba", "final")) {
            assertTrue(output.lines().anyMatch(l -> l.startsWith(row + " ")), "no " + row + " row:\n" + output);
        }
        assertTrue(output.contains("measured"), output);
        assertTrue(output.contains("model server, profile demo:bbh_boolean_expressions"), output);
        assertTrue(output.contains("dashboard: http://127.0.0.1:"), output);
        List<ProcessHandle> alive = run.alive();
        assertTrue(alive.isEmpty(), "left running: " + alive.stream().map(h -> h.pid() + " " + h.info().command().orElse("?")).toList());
        assertTrue(seen.size() >= 5, "the demo started the services as processes: " + seen.size());
    }
}
