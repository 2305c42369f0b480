package tale.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.search.SearchInputs;
import tale.core.task.Split;
import tale.core.train.Finetune;
import tale.core.train.Trainer;

/** Fine-tunes a model (optionally with layers removed first) on a task's training split; JSON summary on stdout. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a model on a task (full or LoRA), after removing --drop layers; writes a Hugging Face "
                + "checkpoint to --out and prints held-out accuracy before and after as JSON.")
final class FinetuneCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--model", required = true, description = "Hugging Face model directory") Path model;
    @Mixin TaskOptions taskOptions;
    @Option(names = "--scoring", defaultValue = "generate", description = "how held-out rows are scored: generate, loglik or margin (default: ${DEFAULT-VALUE})") String scoring;
    @Option(names = "--train-split", defaultValue = "search", description = "split to train on; the test split is held out (default: ${DEFAULT-VALUE})") String trainSplit;
    @Option(names = "--limit", description = "at most this many rows of each split") Integer limit;
    @Option(names = "--drop", defaultValue = "", description = "layers to remove before training, 0-indexed, e.g. 3,5") String drop;
    @Option(names = "--epochs", defaultValue = "3", description = "passes over the training rows (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--max-steps", defaultValue = "0", description = "stop after this many steps (default: no limit)") int maxSteps;
    @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})") float lr;
    @Option(names = "--batch-size", defaultValue = "16", description = "sequences per step (default: ${DEFAULT-VALUE})") int batchSize;
    @Option(names = "--lora-rank", defaultValue = "0", description = "LoRA rank on attention and MLP projections, merged on save (default: 0 = full fine-tuning)") int loraRank;
    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA scale numerator: updates are alpha/rank * B A (default: ${DEFAULT-VALUE})") float loraAlpha;
    @Option(names = "--train-seed", defaultValue = "0", description = "seed of the batch order and adapters (default: ${DEFAULT-VALUE})") long trainSeed;
    @Option(names = "--out", required = true, description = "directory for the fine-tuned checkpoint") Path out;
    @Option(names = "--force", description = "overwrite a non-empty --out") boolean force;

    @Override
    public Integer call() throws Exception {
        SearchInputs inputs = taskOptions.inputs(scoring, limit, null);
        Trainer.Options options = Trainer.Options.defaults().withEpochs(epochs).withMaxSteps(maxSteps).withLearningRate(lr)
                .withBatchSize(batchSize).withSeed(trainSeed);
        Finetune.Job job = new Finetune.Job(model, inputs, Split.parse(trainSplit), drop, options, loraRank, loraAlpha, out, force);
        Finetune.Outcome outcome;
        try (TrainingProgress progress = new TrainingProgress("finetune", spec.commandLine().getErr())) {
            outcome = Finetune.run(job, progress);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(summary(outcome).toString());
        stdout.flush();
        return 0;
    }

    static ObjectNode summary(Finetune.Outcome o) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("out", o.out().toString());
        n.put("sourceLayers", o.export().sourceLayers());
        n.put("layers", o.export().layers());
        n.put("removed", o.export().removed().toString());
        n.put("trainRows", o.trainRows());
        n.put("heldOutRows", o.heldOutRows());
        n.put("accuracyBefore", o.accuracyBefore());
        n.put("accuracyAfter", o.accuracyAfter());
        n.put("trainableParameters", o.trainableParameters());
        n.put("steps", o.training().steps());
        n.put("firstLoss", o.training().firstLoss());
        n.put("lastLoss", o.training().lastLoss());
        n.put("trainSeconds", o.training().seconds());
        n.put("trainCpuSeconds", o.training().cpuSeconds());
        return n;
    }
}
