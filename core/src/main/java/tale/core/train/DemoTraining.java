package tale.core.train;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import tale.core.InputException;
import tale.core.model.Model;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Task;
import tale.core.task.Tasks;

/**
 * Trains the {@link DemoModel} from scratch on generated boolean expressions, on the prompts
 * {@code tale eval --task bbh_boolean_expressions} builds, supervising each sub-expression's value at its last
 * word as well as the answer (answer-only loss learns far more slowly). Training rows exclude the held-out
 * rows and any rows of an excluded file (the real BIG-Bench-Hard file, which must never be trained on). A
 * directory already trained with the same settings is reused.
 */
public final class DemoTraining {

    /** The record of a finished run, beside the weights: settings (to decide reuse) and results. */
    public static final String RECORD = "tale_demo.json";
    public static final int HELD_OUT_ROWS = 500;

    /**
     * @param seed      seed of the weights, the data and the batch order
     * @param bbhRows   distinct training rows of BBH's shape (8 words, parentheses one deep; about 1,950 exist)
     * @param mixedRows training rows of 3 to 10 words, parentheses two deep (more variety)
     */
    public record Settings(long seed, DemoModel.Shape shape, int bbhRows, int mixedRows, int epochs, float learningRate,
                           int batchSize) {
        public static Settings defaults(long seed) {
            return new Settings(seed, DemoModel.Shape.defaults(), 1100, 4900, 8, 3e-3f, 32);
        }

        public Settings withRows(int bbh, int mixed, int epochs) {
            return new Settings(seed, shape, bbh, mixed, epochs, learningRate, batchSize);
        }
    }

    /** What happened: trained now (with its time) or reused from an earlier identical run. */
    public record Outcome(Path dir, boolean reused, double trainSeconds, int steps, float firstLoss, float lastLoss) { }

    private DemoTraining() { }

    /**
     * Trains into {@code out} unless it already holds a model trained with {@code settings}.
     * @param exclude rows whose inputs are never trained on (e.g. the real BBH file); may be null
     */
    public static Outcome run(Settings settings, Path out, Path exclude, Trainer.Listener listener) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode settingsJson = json.valueToTree(settings);
        if (exclude != null) settingsJson.put("excluded", exclude.toAbsolutePath().normalize().toString());
        settingsJson = (ObjectNode) json.readTree(json.writeValueAsString(settingsJson)); // numbers as read back
        if (DemoModel.trainedWith(out, settingsJson)) {
            var record = json.readTree(out.resolve(RECORD).toFile());
            return new Outcome(out, true, record.path("trainSeconds").asDouble(), record.path("steps").asInt(),
                    (float) record.path("firstLoss").asDouble(), (float) record.path("lastLoss").asDouble());
        }
        prepare(out);
        ObjectNode record = json.createObjectNode();
        record.set("settings", settingsJson);
        json.writeValue(out.resolve(RECORD).toFile(), record); // marks the directory as a demo model's, mid-training
        DemoModel.writeInitial(settings.shape(), settings.seed(), out);
        Task task = Tasks.byName(DemoModel.TASK);
        List<BooleanExpressions.Row> heldOut = heldOut(settings.seed(), exclude);
        Set<String> unseen = new HashSet<>(inputs(task, exclude));
        heldOut.forEach(r -> unseen.add(r.input()));
        List<BooleanExpressions.Row> rows = new ArrayList<>(BooleanExpressions.bbhLike(settings.seed()).distinct(settings.bbhRows(), unseen));
        BooleanExpressions mixed = new BooleanExpressions(settings.seed() + 1, 3, 10, 2);
        while (rows.size() < settings.bbhRows() + settings.mixedRows()) {
            BooleanExpressions.Row r = mixed.next();
            if (!unseen.contains(r.input())) rows.add(r);
        }
        Path data = out.resolve("data");
        BooleanExpressions.writeJsonl(rows, data.resolve("train.jsonl"));
        BooleanExpressions.writeJsonl(heldOut, data.resolve("heldout.jsonl"));
        Trainer.Result result;
        try (Model model = Model.load(out)) {
            List<TrainingSequence> sequences = sequences(model, task.load(data.resolve("train.jsonl")));
            Trainer.Options options = Trainer.Options.defaults().withEpochs(settings.epochs())
                    .withLearningRate(settings.learningRate()).withBatchSize(settings.batchSize()).withSeed(settings.seed());
            try (TrainableWeights weights = TrainableWeights.full(model, DataType.FLOAT32)) {
                result = Trainer.train(model, weights, sequences, options, listener);
                TrainedCheckpoint.write(out, weights.trainable(), TrainedCheckpoint.dtype(out));
            }
        }
        record.put("trainSeconds", result.seconds());
        record.put("trainCpuSeconds", result.cpuSeconds());
        record.put("steps", result.steps());
        record.put("firstLoss", result.firstLoss());
        record.put("lastLoss", result.lastLoss());
        record.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        json.writeValue(out.resolve(RECORD).toFile(), record);
        return new Outcome(out, false, result.seconds(), result.steps(), result.firstLoss(), result.lastLoss());
    }

    /** The task's training sequences for a boolean-expression model, with every sub-expression's value supervised. */
    public static List<TrainingSequence> sequences(Model model, List<Example> examples) {
        Scorer scorer = Scorer.of(model, Tasks.byName(DemoModel.TASK), Scoring.GENERATE, Demonstrations.none());
        return TrainingSequences.build(scorer, model.tokenizer(), TrainingSequences.stopToken(model), examples,
                e -> BooleanExpressions.evaluate(e.prompt()).wordTargets());
    }

    /** The held-out rows of a seed: BBH-shaped, distinct, none in {@code exclude}. */
    public static List<BooleanExpressions.Row> heldOut(long seed, Path exclude) {
        Set<String> excluded = new HashSet<>(inputs(Tasks.byName(DemoModel.TASK), exclude));
        return BooleanExpressions.bbhLike(seed ^ 0x9E3779B97F4A7C15L).distinct(HELD_OUT_ROWS, excluded);
    }

    private static List<String> inputs(Task task, Path file) {
        return file == null ? List.of() : task.load(file).stream().map(Example::prompt).toList();
    }

    /** An empty directory, or one holding an earlier demo model (replaced); anything else is refused. */
    private static void prepare(Path out) throws IOException {
        if (Files.isDirectory(out)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(out)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(out.resolve(RECORD))) {
                throw new InputException("--out " + out + " is not empty and holds no demo model; choose a new directory");
            }
        } else if (Files.exists(out)) {
            throw new InputException("--out " + out + " exists and is not a directory");
        }
        Files.createDirectories(out);
    }
}
