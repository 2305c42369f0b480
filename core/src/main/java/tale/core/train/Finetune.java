package tale.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import tale.core.InputException;
import tale.core.model.CheckpointExport;
import tale.core.model.Model;
import tale.core.scoring.Evaluator;
import tale.core.scoring.Scorer;
import tale.core.search.Objective;
import tale.core.search.SearchInputs;
import tale.core.task.Example;
import tale.core.task.Split;

/**
 * Fine-tunes a model, optionally with layers removed, on a task's training rows and measures held-out accuracy
 * before and after. Removed layers are removed physically first ({@link CheckpointExport}), so only the kept
 * layers train and the result is the smaller checkpoint. Prompts are those {@link SearchInputs#scorer} builds:
 * exactly what {@code tale eval} and {@code tale search} score.
 */
public final class Finetune {

    /**
     * @param inputs     task, file, split and prompt settings, as {@code tale search} takes them
     * @param trainSplit the split trained on (search by default); the test split (or select, when test is empty) is held out
     * @param drop       layers to remove first ("3,5"; "" for none)
     * @param loraRank   0: full fine-tuning; otherwise LoRA of this rank, merged on save
     */
    public record Job(Path model, SearchInputs inputs, Split trainSplit, String drop, Trainer.Options options, int loraRank,
                      float loraAlpha, Path out, boolean force) { }

    /** Held-out accuracy before and after training the (pruned) model, and the run's cost. */
    public record Outcome(Path out, CheckpointExport.Result export, int trainRows, int heldOutRows, double accuracyBefore,
                          double accuracyAfter, long trainableParameters, Trainer.Result training) { }

    private Finetune() { }

    public static Outcome run(Job job, Trainer.Listener listener) throws IOException {
        SearchInputs.Data data = job.inputs().load(Objective.ACCURACY);
        List<Example> train = data.splits().get(job.trainSplit());
        List<Example> heldOut = !data.test().isEmpty() ? data.test() : data.select();
        if (train.isEmpty()) throw new InputException("the " + job.trainSplit() + " split has no rows to train on");
        if (heldOut.isEmpty() || heldOut == train) {
            throw new InputException("no held-out rows: the test and select splits are empty (see --fractions)");
        }
        CheckpointExport.Result export = CheckpointExport.export(job.model(), job.drop(), job.out(), job.force());
        double before;
        long trainable;
        Trainer.Result result;
        try (Model model = Model.load(job.out())) {
            Scorer scorer = job.inputs().scorer(model, data);
            before = accuracy(model, scorer, heldOut);
            List<TrainingSequence> sequences = TrainingSequences.build(scorer, model.tokenizer(),
                    TrainingSequences.stopToken(model), train, null);
            try (TrainableWeights weights = job.loraRank() > 0
                    ? TrainableWeights.lora(model, job.loraRank(), job.loraAlpha(), job.options().seed())
                    : TrainableWeights.full(model, DataType.FLOAT32);
                 NDManager scope = NDManager.newBaseManager()) {
                trainable = weights.trainableCount();
                result = Trainer.train(model, weights, sequences, job.options(), listener);
                TrainedCheckpoint.write(job.out(), weights.merged(scope), TrainedCheckpoint.dtype(job.out()));
            }
        }
        double after;
        try (Model model = Model.load(job.out())) {
            after = accuracy(model, job.inputs().scorer(model, data), heldOut);
        }
        return new Outcome(job.out(), export, train.size(), heldOut.size(), before, after, trainable, result);
    }

    /** Accuracy of {@code model} (all its layers) on {@code rows}, as {@code tale eval} scores it. */
    public static double accuracy(Model model, Scorer scorer, List<Example> rows) {
        return Evaluator.evaluate(model, scorer, rows, model.fullMask(), Evaluator.Options.defaults()).summary().accuracy();
    }
}
