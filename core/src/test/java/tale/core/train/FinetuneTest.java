package tale.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.ModelConfig;
import tale.core.model.TinyCheckpoint;
import tale.core.search.SearchInputs;
import tale.core.task.Split;

/** Fine-tuning a pruned tiny model on a task raises its accuracy on the task's held-out rows. */
class FinetuneTest {

    @TempDir
    Path tmp;

    @Test
    void finetuningAPrunedTinyModelRaisesHeldOutAccuracy() throws Exception {
        Path source = tmp.resolve("tiny");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(3).withSeed(5), source);
        Path data = tmp.resolve("bool.jsonl");
        BooleanExpressions.writeJsonl(BooleanExpressions.bbhLike(7).distinct(120, java.util.Set.of()), data);
        SearchInputs inputs = new SearchInputs("bbh_boolean_expressions", data, 0, "0.6,0.1,0.3", null, 0, null,
                "generate", null, 1);
        Trainer.Options options = Trainer.Options.defaults().withEpochs(4).withLearningRate(3e-3f).withBatchSize(12);
        Path out = tmp.resolve("pruned");
        Finetune.Outcome o = Finetune.run(new Finetune.Job(source, inputs, Split.SEARCH, "1", options, 0, 16f, out, false),
                (step, total, loss, n) -> { });

        System.out.printf("held-out accuracy %.3f -> %.3f, loss %.3f -> %.3f, %d steps%n", o.accuracyBefore(),
                o.accuracyAfter(), o.training().firstLoss(), o.training().lastLoss(), o.training().steps());
        assertEquals(2, ModelConfig.read(out).numLayers(), "the saved checkpoint has the layer physically removed");
        assertTrue(o.training().lastLoss() < o.training().firstLoss() * 0.5,
                "loss fell: " + o.training().firstLoss() + " -> " + o.training().lastLoss());
        assertTrue(o.accuracyAfter() >= o.accuracyBefore() + 0.2,
                "held-out accuracy " + o.accuracyBefore() + " -> " + o.accuracyAfter());
    }
}
