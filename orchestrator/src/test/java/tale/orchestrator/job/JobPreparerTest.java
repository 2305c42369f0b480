package tale.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.search.Objective;
import tale.core.search.Racing;
import tale.core.search.SearchConfig;
import tale.core.search.SearchInputs;
import tale.messages.JobSpec;
import tale.core.task.TaskFixtures;
import tale.orchestrator.Fixtures;
import tale.orchestrator.dataset.DatasetStore;
import tale.service.InvalidFieldsException;

/** Every field of a JobSpec is checked and named when wrong; names never escape their roots. */
class JobPreparerTest {

    @TempDir static Path tmp;
    static Fixtures fixtures;
    static JobPreparer preparer;
    static DatasetStore datasets;

    @BeforeAll
    static void setUp() throws Exception {
        fixtures = new Fixtures(tmp);
        var config = fixtures.config(4, Duration.ofMinutes(1), 3);
        datasets = new DatasetStore(config);
        preparer = new JobPreparer(config, datasets);
        Files.writeString(tmp.resolve("outside.jsonl"), String.join("\n", TaskFixtures.arcSumRows(8)));
    }

    /** A spec with the fields {@code edit} changes from the valid {@link Fixtures#spec()}. */
    static JobSpec spec(UnaryOperator<Map<String, Object>> edit) {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, Object> fields = new java.util.HashMap<>(json.convertValue(Fixtures.spec(), Map.class));
        return json.convertValue(edit.apply(fields), JobSpec.class);
    }

    static Map<String, String> problems(JobSpec spec) {
        return assertThrows(InvalidFieldsException.class, () -> preparer.prepare(spec)).fields();
    }

    static void rejected(String field, String key, Object value) {
        Map<String, String> problems = problems(spec(f -> { f.put(key, value); return f; }));
        assertTrue(problems.containsKey(field), key + "=" + value + " should be refused under " + field + ": " + problems);
    }

    @Test
    void defaultsAreThoseOfTaleSearch() {
        PreparedJob job = preparer.prepare(Fixtures.spec());
        SearchInputs.Data data = job.data();
        assertEquals(SearchConfig.defaults(Fixtures.LAYERS, data.search().size(), data.select().size(), data.test().size())
                .withShardSize(4), job.config());
        assertEquals(12, job.config().searchSize());
        assertEquals(fixtures.dataRoot.resolve(Fixtures.TASK_FILE), job.inputs().data());
        assertEquals(0L, job.inputs().seed());
        assertEquals(SearchInputs.DEFAULT_FRACTIONS, job.inputs().fractions());
        assertEquals(0, job.inputs().shots());
    }

    @Test
    void everySearchValueReachesTheConfiguration() {
        PreparedJob job = preparer.prepare(spec(f -> {
            f.put("epsilon", 0.02);
            f.put("maxRemoved", 2);
            f.put("objective", "margin");
            f.put("initialRemoved", List.of(3, 1));
            f.put("selectOn", "select");
            f.put("racing", true);
            f.put("raceShard", 4);
            f.put("raceConfidence", 0.9);
            f.put("splitSeed", 5);
            f.put("shots", 1);
            return f;
        }));
        SearchConfig c = job.config();
        assertEquals(0.02, c.epsilon());
        assertEquals(2, c.maxRemoved());
        assertEquals(Objective.MARGIN, c.objective());
        assertEquals(List.of(1, 3), c.initialRemoved());
        assertTrue(c.selectOnSelect());
        assertEquals(Racing.on(4, 0.9), c.racing());
        assertEquals(4, c.shardSize());
        assertEquals(5L, job.inputs().seed());
        assertEquals(1, job.inputs().shots());
    }

    @Test
    void eachInvalidFieldIsNamed() {
        rejected("task", "task", "no_such_task");
        rejected("task", "task", null);
        rejected("scoring", "scoring", "guess");
        rejected("objective", "objective", "speed");
        rejected("epsilon", "epsilon", -0.1);
        rejected("fractions", "fractions", "0.5,0.9");
        rejected("splitRows", "splitRows", "x,y");
        rejected("shots", "shots", -1);
        rejected("limit", "limit", 0);
        rejected("maxNewTokens", "maxNewTokens", 0);
        rejected("maxRemoved", "maxRemoved", Fixtures.LAYERS + 1);
        rejected("initialRemoved", "initialRemoved", List.of(1, 1));
        rejected("initialRemoved", "initialRemoved", List.of(Fixtures.LAYERS));
        rejected("selectOn", "selectOn", "test");
        assertTrue(problems(spec(f -> { f.put("selectOn", "select"); f.put("splitRows", "12,0"); return f; }))
                .get("selectOn").contains("empty"));
        rejected("raceShard", "raceShard", 1);
        rejected("raceConfidence", "raceConfidence", 1.5);
        rejected("deploy", "deploy", "all");
        rejected("model", "model", "missing-model");
        rejected("model", "model", null);
        rejected("data", "data", "missing.jsonl");
        rejected("dataset", "dataset", "f".repeat(64));
        rejected("dataset", "dataset", "not-a-hash");
    }

    @Test
    void marginObjectiveNeedsMargins() {
        Map<String, String> problems = problems(spec(f -> { f.put("objective", "margin"); f.put("scoring", "generate"); return f; }));
        assertTrue(problems.get("objective").contains("margin"), problems.toString());
    }

    @Test
    void pathsEscapingTheirRootsAreRefused() {
        for (String escape : List.of("../outside.jsonl", tmp.resolve("outside.jsonl").toString(), "sub/../../outside.jsonl")) {
            assertTrue(problems(spec(f -> { f.put("data", escape); return f; })).get("data").contains("outside the data root"),
                    escape);
        }
        for (String escape : List.of("..", "../orchestrator-data", fixtures.modelRoot.resolve("tiny").toString(), "/etc")) {
            assertTrue(problems(spec(f -> { f.put("model", escape); return f; })).get("model").contains("outside the model root"),
                    escape);
        }
    }

    @Test
    void aLinkOutOfTheRootIsRefused() throws Exception {
        Path link = fixtures.dataRoot.resolve("link.jsonl");
        Files.createSymbolicLink(link, tmp.resolve("outside.jsonl"));
        assertTrue(problems(spec(f -> { f.put("data", "link.jsonl"); return f; })).get("data").contains("through a link"));
    }

    @Test
    void anUploadedDatasetIsFoundByItsId() throws Exception {
        byte[] content = Files.readAllBytes(fixtures.dataRoot.resolve(Fixtures.TASK_FILE));
        DatasetStore.Stored stored = datasets.store(new java.io.ByteArrayInputStream(content), "application/x-ndjson", null);
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content)),
                stored.id(), "the id is the SHA-256 of the content");
        DatasetStore.Stored again = datasets.store(new java.io.ByteArrayInputStream(content), "application/x-ndjson", "other.jsonl");
        assertEquals(stored.id(), again.id(), "same content, same id");
        assertEquals("data.jsonl", again.name(), "stored once, under its first name");
        assertTrue(stored.created() && !again.created());
        assertEquals(1, Files.list(fixtures.dataDir.resolve("datasets")).count(), "no staging folder is left behind");
        assertThrows(tale.core.InputException.class, () -> datasets.store(java.io.InputStream.nullInputStream(), "text/csv", null));
        assertThrows(tale.core.InputException.class, () -> datasets.store(new java.io.ByteArrayInputStream(content), "text/plain", null));
        assertThrows(tale.core.InputException.class, () -> datasets.store(new java.io.ByteArrayInputStream(content), "text/csv", "../x.csv"));
        assertEquals(1, Files.list(fixtures.dataDir.resolve("datasets")).count(), "refused uploads leave nothing behind");
        PreparedJob job = preparer.prepare(spec(f -> { f.remove("data"); f.put("dataset", stored.id()); return f; }));
        assertEquals(12, job.config().searchSize());
        assertTrue(problems(spec(f -> { f.put("dataset", stored.id()); return f; })).get("dataset").contains("not both"));
    }
}
