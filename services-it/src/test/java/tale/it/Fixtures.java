package tale.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tale.cli.cluster.TaleClient;
import tale.core.model.Model;
import tale.core.model.TensorType;
import tale.core.model.TinyCheckpoint;
import tale.core.search.LocalEvaluator;
import tale.core.search.Objective;
import tale.core.search.SearchConfig;
import tale.core.search.SearchInputs;
import tale.core.search.SearchReport;
import tale.core.search.SearchResult;
import tale.core.search.SearchRunner;
import tale.messages.JobSpec;

/** What the acceptance tests share: the source tree, a tiny model, the task rows, PostgreSQL schemas, the reference search. */
final class Fixtures {

    static final String TASK = "bbh_boolean_expressions";
    static final String MODEL = "tiny";
    static final String BROKEN_MODEL = "tiny-without-weights";
    static final String PG_BASE = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String PG_USER = "postgres";

    private Fixtures() { }

    static Path repo() {
        String p = System.getProperty("tale.repo");
        return (p != null ? Path.of(p) : Path.of("").toAbsolutePath().getParent()).toAbsolutePath();
    }

    /** A random 6-layer Llama under {@code modelRoot/tiny}: real checkpoint files, a real forward pass. */
    static Path tinyModel(Path modelRoot) throws IOException {
        Path dir = modelRoot.resolve(MODEL);
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(6).withDtype(TensorType.F32).withSeed(3), dir);
        return dir;
    }

    /** A model folder with the tiny model's config.json and tokenizer but no weights: readable, not loadable. */
    static void brokenModel(Path modelRoot, Path tiny) throws IOException {
        Path dir = Files.createDirectories(modelRoot.resolve(BROKEN_MODEL));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) Files.copy(tiny.resolve(f), dir.resolve(f));
    }

    /** 48 generated boolean expressions in the BIG-Bench-Hard row format (a test resource). */
    static Path rows(Path dir) throws IOException {
        Path file = dir.resolve("boolean_expressions.jsonl");
        try (InputStream in = Fixtures.class.getResourceAsStream("/boolean_expressions.jsonl")) {
            Files.copy(in, file);
        }
        return file;
    }

    /**
     * The job the tests submit: log-likelihood scoring (a random model's generations are all wrong, its
     * log-likelihoods are not), at most 2 removals, a wide epsilon so both rounds are accepted.
     */
    static JobSpec job(String dataset, String model, String task) {
        return new JobSpec(model, task, dataset, null, 0L, null, null, 0, "loglik", null, null, 0.5, 2, null, null, null,
                null, null, null, null);
    }

    /** {@code tale search} in this process on the same inputs: SearchInputs, SearchConfig, LocalEvaluator, SearchRunner. */
    static JsonNode localSummary(Path model, Path rows, JobSpec spec) {
        SearchInputs inputs = new SearchInputs(spec.task(), rows, spec.splitSeed(), spec.fractions(), spec.splitRows(),
                spec.shots() == null ? 0 : spec.shots(), null, spec.scoring(), spec.limit(), spec.maxNewTokens());
        SearchInputs.Data data = inputs.load(Objective.ACCURACY);
        try (Model m = Model.load(model)) {
            SearchConfig config = SearchConfig.defaults(m.numLayers(), data.search().size(), data.select().size(),
                    data.test().size()).withEpsilon(spec.epsilon()).withMaxRemoved(spec.maxRemoved());
            LocalEvaluator evaluator = new LocalEvaluator(m, inputs.scorer(m, data), data.splits(), LocalEvaluator.Options.FAST);
            SearchResult result = SearchRunner.run(config, evaluator, new SearchRunner.Listener() { });
            return SearchReport.summary(result, Map.of(), new SearchReport.Cost(0, 0));
        }
    }

    /**
     * Where two summaries differ, ignoring what legitimately differs between runs ("run", "cost"); numbers compare
     * to 1e-9 (scores computed with the same batches are bitwise equal; the tolerance only absorbs JSON printing).
     */
    static List<String> differences(JsonNode expected, JsonNode actual) {
        List<String> out = new ArrayList<>();
        compare("", strip(expected), strip(actual), out);
        return out;
    }

    private static JsonNode strip(JsonNode summary) {
        ObjectNode copy = summary.deepCopy();
        copy.remove(List.of("run", "cost"));
        return copy;
    }

    private static void compare(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a.isNumber() && b.isNumber()) {
            if (Math.abs(a.asDouble() - b.asDouble()) > 1e-9) out.add(path + ": " + a + " against " + b);
        } else if (a.isObject() && b.isObject()) {
            Map<String, Boolean> keys = new LinkedHashMap<>();
            a.fieldNames().forEachRemaining(k -> keys.put(k, true));
            b.fieldNames().forEachRemaining(k -> keys.put(k, true));
            for (String k : keys.keySet()) compare(path + "." + k, a.path(k), b.path(k), out);
        } else if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) out.add(path + ": " + a.size() + " elements against " + b.size());
            Iterator<JsonNode> x = a.elements(), y = b.elements();
            for (int i = 0; x.hasNext() && y.hasNext(); i++) compare(path + "[" + i + "]", x.next(), y.next(), out);
        } else if (!a.equals(b)) {
            out.add(path + ": " + a + " against " + b);
        }
    }

    /** Drops the schemas a test's services created (Flyway creates each service's schema, named by TALE_DB_SCHEMA). */
    static void dropSchemas(String... names) {
        for (String name : names) sql("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    private static void sql(String... statements) {
        try (Connection c = DriverManager.getConnection(PG_BASE, PG_USER, "")) {
            for (String s : statements) c.createStatement().execute(s);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + PG_BASE + ": " + e.getMessage(), e);
        }
    }

    static String json(Object o) {
        try {
            return TaleClient.JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
