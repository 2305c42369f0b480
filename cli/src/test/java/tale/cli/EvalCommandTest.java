package tale.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.TinyCheckpoint;
import tale.core.scoring.ExampleResult;
import tale.core.scoring.ResultsFile;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.core.task.SplitPlan;
import tale.core.task.Split;
import tale.core.task.Tasks;
import tale.core.text.ChatTemplate;
import tale.core.text.Tokenizer;

/** `tale eval` and `tale prompt` end to end on a random tiny checkpoint and a task file the code has never seen. */
class EvalCommandTest {

    @TempDir
    static Path tmp;
    static Path model, data;

    /** A made-up multiple-choice task (varying option counts), read by the generic `mc` kind. */
    static final String NOVEL_TASK = """
            {"query": "Which tool measures temperature?", "choices": ["ruler", "thermometer", "scale"], "gold": 1}
            {"query": "Which shape has three sides?", "choices": ["square", "circle", "triangle", "hexagon"], "gold": 2}
            {"query": "Which season is coldest?", "choices": ["winter", "summer"], "gold": 0}
            {"query": "Which is a vegetable?", "choices": ["apple", "carrot", "grape", "melon", "plum"], "gold": 1}
            {"query": "Which metal is liquid at room temperature?", "choices": ["iron", "gold", "mercury", "tin"], "gold": 2}
            {"query": "Which bird cannot fly?", "choices": ["ostrich", "sparrow", "eagle"], "gold": 0}
            {"query": "Which number is even?", "choices": ["3", "7", "8", "9"], "gold": 2}
            {"query": "Which gas do we breathe out?", "choices": ["carbon dioxide", "nitrogen"], "gold": 0}
            """;

    @BeforeAll
    static void setUp() throws Exception {
        model = tmp.resolve("tiny");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(3), model);
        data = tmp.resolve("novel.jsonl");
        Files.writeString(data, NOVEL_TASK);
    }

    record Run(int exit, String out, String err) { }

    static Run tale(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Tale.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void scoresAGenericMultipleChoiceFileEndToEndInEveryMode() throws Exception {
        for (String scoring : List.of("generate", "loglik", "margin")) {
            Path results = tmp.resolve("results-" + scoring + ".jsonl");
            Run r = tale("eval", "--model", model.toString(), "--task", "mc", "--data", data.toString(),
                    "--scoring", scoring, "--out", results.toString(), "--batch-size", "3");
            assertEquals(0, r.exit(), r.err());
            JsonNode summary = new ObjectMapper().readTree(r.out());
            assertEquals("mc", summary.get("task").asText());
            assertEquals(scoring, summary.get("scoring").asText());
            assertEquals(8, summary.get("n").asInt());
            assertEquals(results.toString(), summary.get("out").asText());
            List<ExampleResult> records = ResultsFile.read(results);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), records.stream().map(ExampleResult::index).toList());
            long correct = records.stream().filter(ExampleResult::correct).count();
            assertEquals(correct / 8.0, summary.get("accuracy").asDouble(), 1e-12);
            assertEquals(records.stream().filter(ExampleResult::invalid).count(), summary.get("invalid").asLong());
            assertEquals(scoring.equals("loglik"), summary.has("acc_norm"));
            assertTrue(r.err().contains("8/8"), "progress on stderr: " + r.err());
        }
    }

    @Test
    void splitLimitAndDroppedLayersSelectWhatIsScored() throws Exception {
        Run r = tale("eval", "--model", model.toString(), "--task", "mc", "--data", data.toString(), "--scoring", "margin",
                "--split", "search", "--seed", "3", "--drop", "1", "--shots", "1");
        assertEquals(0, r.exit(), r.err());
        JsonNode summary = new ObjectMapper().readTree(r.out());
        List<Example> rows = Tasks.byName("mc").load(data);
        assertEquals(SplitPlan.shuffled(3).select(rows, Split.SEARCH).size(), summary.get("n").asInt());
        assertEquals("1", summary.get("dropped").asText());
        Run limited = tale("eval", "--model", model.toString(), "--task", "mc", "--data", data.toString(),
                "--scoring", "margin", "--split-rows", "5,2", "--split", "search", "--limit", "3");
        assertEquals(3, new ObjectMapper().readTree(limited.out()).get("n").asInt(), limited.err());
    }

    @Test
    void promptPrintsTheExactTextAndIdsTheScorerUses() throws Exception {
        Run text = tale("prompt", "--model", model.toString(), "--task", "mc", "--data", data.toString(), "--index", "2",
                "--shots", "2", "--seed", "5");
        assertEquals(0, text.exit(), text.err());
        List<Example> rows = Tasks.byName("mc").load(data);
        Prompts prompts = new Prompts(Tasks.byName("mc"), ChatTemplate.loadIfPresent(model),
                Demonstrations.fromOtherParts(rows, SplitPlan.shuffled(5), 2, 5));
        assertEquals(prompts.text(rows.get(2)), text.out());
        assertTrue(text.out().startsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"));
        assertTrue(text.out().endsWith("Which season is coldest?\nA. winter\nB. summer<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n"), text.out());
        Run ids = tale("prompt", "--model", model.toString(), "--task", "mc", "--data", data.toString(), "--index", "2",
                "--shots", "2", "--seed", "5", "--ids");
        assertEquals(0, ids.exit(), ids.err());
        try (Tokenizer tokenizer = Tokenizer.load(model)) {
            assertEquals(Arrays.stream(tokenizer.encode(text.out())).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                    ids.out().strip());
        }
    }

    @Test
    void badInputIsAOneLineErrorWithExitCode2() throws Exception {
        Path malformed = tmp.resolve("malformed.jsonl");
        Files.writeString(malformed, "{\"query\": \"q\", \"choices\": [\"a\", \"b\"], \"gold\": 0}\n{\"query\": \"q\", \"choices\": [\"a\", \"b\"], \"gold\": 7}\n");
        Map<String, List<String>> cases = Map.of(
                "unknown task \"nope\"", List.of("--task", "nope", "--data", data.toString()),
                malformed + ":2: gold 7 is outside the 2 choices", List.of("--task", "mc", "--data", malformed.toString()),
                "split test is empty", List.of("--task", "mc", "--data", data.toString(), "--split", "test", "--fractions", "1,0,0"),
                "unknown scoring \"best\"", List.of("--task", "mc", "--data", data.toString(), "--scoring", "best"),
                "only generate scoring applies", List.of("--task", "gen", "--data", writeGen().toString(), "--scoring", "loglik"),
                "layer 9 is out of range", List.of("--task", "mc", "--data", data.toString(), "--drop", "9"),
                tmp.resolve("missing.jsonl") + ": no such file", List.of("--task", "mc", "--data", tmp.resolve("missing.jsonl").toString()));
        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            List<String> args = new java.util.ArrayList<>(List.of("eval", "--model", model.toString()));
            args.addAll(c.getValue());
            Run r = tale(args.toArray(String[]::new));
            assertEquals(Tale.EXIT_BAD_INPUT, r.exit(), c.getKey() + ": " + r.err());
            assertTrue(r.err().startsWith("tale: ") && r.err().contains(c.getKey()), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
        Run outside = tale("prompt", "--model", model.toString(), "--task", "mc", "--data", data.toString(), "--index", "8");
        assertEquals(Tale.EXIT_BAD_INPUT, outside.exit());
        assertTrue(outside.err().contains("--index 8 is outside"), outside.err());
    }

    static Path writeGen() throws Exception {
        Path gen = tmp.resolve("gen.jsonl");
        Files.writeString(gen, "{\"question\": \"What is 2 plus 2?\", \"answer\": \"4\"}\n");
        return gen;
    }
}
