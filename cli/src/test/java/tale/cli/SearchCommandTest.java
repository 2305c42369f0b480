package tale.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.TinyCheckpoint;

/** `tale search` end to end on a random tiny checkpoint: outputs, their agreement with `tale eval`, bad input. */
class SearchCommandTest {

    @TempDir
    static Path tmp;
    static Path model, data;

    @BeforeAll
    static void setUp() throws Exception {
        model = tmp.resolve("tiny");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(4).withSeed(5), model);
        data = tmp.resolve("sums.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            lines.add("{\"query\": \"What is " + i + " plus 2?\", \"choices\": [\"" + (i + 2) + "\", \"" + (i + 3) + "\", \""
                    + (i + 1) + "\"], \"gold\": 0}");
        }
        Files.write(data, lines);
    }

    static EvalCommandTest.Run tale(String... args) {
        return EvalCommandTest.tale(args);
    }

    static List<String> search(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("search", "--model", model.toString(), "--task", "mc", "--data",
                data.toString(), "--split-seed", "3", "--out", out.toString()));
        if (!List.of(extra).contains("--scoring")) args.addAll(List.of("--scoring", "margin"));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void writesSummaryTrajectoryAndTable() throws Exception {
        Path out = tmp.resolve("run");
        EvalCommandTest.Run r = tale(search(out, "--objective", "margin", "--epsilon", "1", "--max-removed", "2")
                .toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(1, s.get("schemaVersion").asInt());
        assertEquals("mc", s.at("/run/task").asText());
        assertEquals(3, s.at("/run/splitSeed").asInt());
        assertEquals("margin", s.at("/search/objective").asText());
        assertEquals(8, s.at("/search/splits/search").asInt());
        assertEquals(4, s.at("/search/splits/test").asInt());
        assertEquals("max_removed", s.get("stopReason").asText());
        assertEquals(2, s.at("/final/removed").size());
        assertEquals(2, s.at("/final/layersKept").asInt());
        assertEquals(2.0, s.at("/final/estimatedSpeedup").asDouble(), 1e-12);
        for (String k : List.of("baseline", "best", "bsba", "final")) {
            assertTrue(s.at("/" + k + "/search/accuracy").isNumber(), k);
            assertEquals(4, s.at("/" + k + "/test/examples").asInt(), k);
        }
        assertTrue(s.at("/cost/layerForwards").asLong() > 0);
        List<String> csv = Files.readAllLines(out.resolve("trajectory.csv"));
        assertEquals("round,layer,score,accepted", csv.get(0));
        assertEquals(1 + 4 + 3, csv.size());
        assertEquals(2, csv.stream().filter(l -> l.endsWith(",true")).count());
        assertTrue(r.out().contains("baseline") && r.out().contains("final"), r.out());
        assertTrue(r.err().contains("round 1: best candidate removes layer"), r.err());
    }

    @Test
    void theBaselineIsWhatEvalMeasuresOnTheSameSplit() throws Exception {
        Path out = tmp.resolve("baseline");
        EvalCommandTest.Run r = tale(search(out, "--max-removed", "0").toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        for (String split : List.of("search", "test")) {
            EvalCommandTest.Run eval = tale("eval", "--model", model.toString(), "--task", "mc", "--data", data.toString(),
                    "--scoring", "margin", "--seed", "3", "--split", split);
            assertEquals(0, eval.exit(), eval.err());
            JsonNode e = new ObjectMapper().readTree(eval.out());
            assertEquals(e.get("accuracy").asDouble(), s.at("/baseline/" + split + "/accuracy").asDouble(), 1e-12, split);
            assertEquals(e.get("mean_margin").asDouble(), s.at("/baseline/" + split + "/meanMargin").asDouble(), 1e-4, split);
        }
    }

    @Test
    void racingNaiveAndSelectionOnTheSelectSplitRun() throws Exception {
        for (String[] extra : List.of(new String[] {"--racing", "--race-shard", "4", "--select-on", "select"},
                new String[] {"--naive", "--limit", "4"})) {
            Path out = tmp.resolve("variant-" + extra[0].substring(2));
            List<String> args = search(out, "--epsilon", "1", "--max-removed", "1");
            args.addAll(List.of(extra));
            EvalCommandTest.Run r = tale(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
            JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
            assertEquals(extra[0].equals("--racing"), s.at("/search/racing/enabled").asBoolean());
            assertEquals(extra[0].equals("--racing") ? "select" : "search", s.at("/search/selectOn").asText());
            assertEquals(extra[0].equals("--racing"), s.at("/best/select").isObject());
            assertEquals(extra[0].equals("--naive"), s.at("/run/naive").asBoolean());
            assertFalse(s.at("/run/prefixReuse").asBoolean() == extra[0].equals("--naive"));
        }
    }

    @Test
    void badInputIsAOneLineErrorWithExitCode2() {
        Map<String, List<String>> cases = Map.of(
                "--objective margin needs margins", List.of("--scoring", "generate", "--objective", "margin"),
                "unknown objective \"best\"", List.of("--objective", "best"),
                "--naive turns racing off", List.of("--naive", "--racing"),
                "--select-on must be search or select", List.of("--select-on", "train"),
                "--max-removed must lie in 0..4", List.of("--max-removed", "5"),
                "--epsilon must be a finite number >= 0", List.of("--epsilon", "-0.1"),
                "layer 7 is out of range", List.of("--initial-removed", "7"),
                "--race-shard must be at least 2", List.of("--racing", "--race-shard", "1"),
                "the search split is empty", List.of("--fractions", "0,0.5,0.5"));
        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            List<String> args = search(tmp.resolve("bad"), c.getValue().toArray(String[]::new));
            EvalCommandTest.Run r = tale(args.toArray(String[]::new));
            assertEquals(Tale.EXIT_BAD_INPUT, r.exit(), c.getKey() + ": " + r.err());
            assertTrue(r.err().startsWith("tale: ") && r.err().contains(c.getKey()), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}
