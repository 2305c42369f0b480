package tale.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.InputException;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.core.task.Task;
import tale.core.text.ChatTemplate;
import tale.core.text.Tokenizer;

/** Prints the exact text (or token ids) that eval feeds the model for one row. Reads no weights. */
@Command(name = "prompt", mixinStandardHelpOptions = true,
        description = "Print the exact prompt the scorer feeds the model for one row, after the chat template, or its token ids.")
final class PromptCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--model", required = true, description = "model directory (its tokenizer and chat template)") Path model;
    @Mixin TaskOptions taskOptions;
    @Option(names = "--index", required = true, description = "row index in the file, 0-based") int index;
    @Option(names = "--ids", description = "print comma-separated token ids (as `tale logits --tokens` takes them)") boolean ids;

    @Override
    public Integer call() {
        Task task = taskOptions.task();
        List<Example> rows = task.load(taskOptions.data);
        if (index < 0 || index >= rows.size()) {
            throw new InputException("--index " + index + " is outside " + taskOptions.data + " (" + rows.size() + " rows)");
        }
        Prompts prompts = new Prompts(task, ChatTemplate.loadIfPresent(model), taskOptions.demonstrations(task, rows));
        PrintWriter out = spec.commandLine().getOut();
        if (ids) {
            try (Tokenizer tokenizer = Tokenizer.load(model)) {
                out.println(Arrays.stream(prompts.ids(rows.get(index), tokenizer)).mapToObj(Integer::toString)
                        .collect(Collectors.joining(",")));
            }
        } else {
            out.print(prompts.text(rows.get(index)));
        }
        out.flush();
        return 0;
    }
}
