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

    @Test
    void theDemoEndsWithTheResultTableAndLeavesNoProcess() throws Exception {
        Path repo = Fixtures.repo();
        Path run = Files.createDirectories(repo.resolve("services-it/target/demo-" + UUID.randomUUID().toString().substring(0, 8)));
        Path out = run.resolveSibling(run.getFileName() + ".out");
        Process demo = new ProcessBuilder(repo.resolve("tale").toString(), "demo", "--free-ports", "--workers", "2",
                "--limit", "24", "--run-dir", run.toString()).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        // Every process the demo starts, seen while it runs (the broker is started by a script and re-parented).
        Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
        while (!demo.waitFor(500, TimeUnit.MILLISECONDS)) {
            demo.descendants().forEach(seen::add);
            seen.addAll(LocalCluster.liveRecorded(run));
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, demo.exitValue(), output);
        for (String row : List.of("baseline", "best", "bsba", "final")) {
            assertTrue(output.lines().anyMatch(l -> l.startsWith(row + " ")), "no " + row + " row:\n" + output);
        }
        assertTrue(output.contains("measured"), output);
        assertTrue(output.contains("model server, profile demo:bbh_boolean_expressions"), output);
        assertTrue(output.contains("dashboard: http://127.0.0.1:"), output);
        List<ProcessHandle> alive = new ArrayList<>(seen.stream().filter(ProcessHandle::isAlive).toList());
        alive.addAll(LocalCluster.liveRecorded(run));
        assertTrue(alive.isEmpty(), "left running: " + alive.stream().map(h -> h.pid() + " " + h.info().command().orElse("?")).toList());
        assertTrue(seen.size() >= 5, "the demo started the services as processes: " + seen.size());
    }
}
