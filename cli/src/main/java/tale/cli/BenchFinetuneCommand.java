package tale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.InputException;
import tale.core.search.SearchInputs;
import tale.core.task.Split;
import tale.core.train.Finetune;
import tale.core.train.Trainer;

/**
 * The paper's "TALE then fine-tuning" pipeline, measured: {@code tale search} on the model, then the same
 * fine-tuning of the pruned model and of the full model. Reports held-out (test split) accuracy before TALE,
 * after TALE, after fine-tuning the pruned model (and the full one), and the training time pruned vs full.
 */
@Command(name = "bench-finetune", mixinStandardHelpOptions = true,
        description = "Measure TALE then fine-tuning: accuracy before/after TALE and after fine-tuning; training time pruned vs full.")
final class BenchFinetuneCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--model", required = true, description = "Hugging Face model directory (e.g. from tale train-demo)") Path model;
    @Option(names = "--task", defaultValue = "bbh_boolean_expressions", description = "task name (default: ${DEFAULT-VALUE})") String task;
    @Option(names = "--data", required = true, description = "task file; its search split trains, its test split is held out") Path data;
    @Option(names = "--seed", defaultValue = "0", description = "split seed (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--fractions", defaultValue = SearchInputs.DEFAULT_FRACTIONS, description = "search,select,test fractions (default: ${DEFAULT-VALUE})") String fractions;
    @Option(names = "--epsilon", defaultValue = "0.05", description = "TALE's tolerance below baseline (default: ${DEFAULT-VALUE})") String epsilon;
    @Option(names = "--pick", defaultValue = "final", description = "which TALE result to fine-tune: final, bsba or best (default: ${DEFAULT-VALUE})") String pick;
    @Option(names = "--epochs", defaultValue = "4", description = "fine-tuning passes (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--lr", defaultValue = "3e-4", description = "fine-tuning peak learning rate (default: ${DEFAULT-VALUE})") float lr;
    @Option(names = "--batch-size", defaultValue = "16", description = "sequences per step (default: ${DEFAULT-VALUE})") int batchSize;
    @Option(names = "--out", required = true, description = "work directory: search/, pruned-finetuned/, full-finetuned/, bench.json") Path out;

    @Override
    public Integer call() throws Exception {
        // CPU time measures training cost only when the engine computes on the calling thread
        if (System.getenv("TALE_THREADS") == null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        if (!List.of("final", "bsba", "best").contains(pick)) throw new InputException("--pick must be final, bsba or best, got " + pick);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Files.createDirectories(out);
        Path searchDir = out.resolve("search");
        List<String> args = new ArrayList<>(List.of("search", "--model", model.toString(), "--task", task, "--data", data.toString(),
                "--seed", Long.toString(seed), "--fractions", fractions, "--epsilon", epsilon, "--out", searchDir.toString()));
        long searchStart = System.nanoTime();
        int status = Tale.run(new PrintWriter(err, true), err, args.toArray(String[]::new));
        double searchSeconds = (System.nanoTime() - searchStart) / 1e9;
        if (status != 0) throw new InputException("tale search failed (exit " + status + ")");
        JsonNode summary = new ObjectMapper().readTree(searchDir.resolve("summary.json").toFile());
        List<Integer> removed = new ArrayList<>();
        summary.path(pick).path("removed").forEach(n -> removed.add(n.asInt()));
        String drop = String.join(",", removed.stream().map(String::valueOf).toList());

        SearchInputs inputs = new SearchInputs(task, data, seed, fractions, null, 0, null, "generate", null, null);
        Trainer.Options options = Trainer.Options.defaults().withEpochs(epochs).withLearningRate(lr).withBatchSize(batchSize);
        Finetune.Outcome full = finetune(inputs, "", options, out.resolve("full-finetuned"), "finetune full", err);
        Finetune.Outcome pruned = finetune(inputs, drop, options, out.resolve("pruned-finetuned"), "finetune pruned", err);
        double ratio = pruned.training().cpuSeconds() / full.training().cpuSeconds();

        ObjectNode report = new ObjectMapper().createObjectNode();
        report.put("model", model.toString());
        report.put("task", task);
        report.put("data", data.toString());
        report.put("heldOutRows", pruned.heldOutRows());
        report.put("layers", full.export().layers());
        report.put("removed", removed.toString());
        report.put("searchSeconds", searchSeconds);
        report.put("accuracyBeforeTale", full.accuracyBefore());
        report.put("accuracyAfterTale", pruned.accuracyBefore());
        report.put("accuracyAfterTaleAndFinetuning", pruned.accuracyAfter());
        report.put("accuracyAfterFinetuningFullModel", full.accuracyAfter());
        report.put("trainSecondsPruned", pruned.training().seconds());
        report.put("trainSecondsFull", full.training().seconds());
        report.put("trainCpuSecondsPruned", pruned.training().cpuSeconds());
        report.put("trainCpuSecondsFull", full.training().cpuSeconds());
        report.put("trainTimeRatioPrunedOverFull", ratio);
        report.put("engineThreads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        report.put("steps", pruned.training().steps());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("bench.json").toFile(), report);

        stdout.printf(Locale.ROOT, "held-out rows (test split): %d; TALE (%s) removed %s of %d layers (search %.1f s)%n",
                pruned.heldOutRows(), pick, removed, full.export().layers(), searchSeconds);
        stdout.printf(Locale.ROOT, "accuracy before TALE:                 %.4f%n", full.accuracyBefore());
        stdout.printf(Locale.ROOT, "accuracy after TALE:                  %.4f%n", pruned.accuracyBefore());
        stdout.printf(Locale.ROOT, "accuracy after TALE + fine-tuning:    %.4f%n", pruned.accuracyAfter());
        stdout.printf(Locale.ROOT, "accuracy after fine-tuning (full):    %.4f%n", full.accuracyAfter());
        stdout.printf(Locale.ROOT, "training (%d steps each): pruned %.1f s CPU (%.1f s wall), full %.1f s CPU (%.1f s wall); "
                        + "ratio pruned/full %.3f (CPU)%n", pruned.training().steps(), pruned.training().cpuSeconds(),
                pruned.training().seconds(), full.training().cpuSeconds(), full.training().seconds(), ratio);
        stdout.println("wrote " + out.resolve("bench.json"));
        stdout.flush();
        return 0;
    }

    private Finetune.Outcome finetune(SearchInputs inputs, String drop, Trainer.Options options, Path dir, String name,
                                             PrintWriter err) throws Exception {
        try (TrainingProgress progress = new TrainingProgress(name, err)) {
            return Finetune.run(new Finetune.Job(model, inputs, Split.SEARCH, drop, options, 0, 16f, dir, true), progress);
        }
    }
}
