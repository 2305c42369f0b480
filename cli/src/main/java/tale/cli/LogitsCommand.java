package tale.cli;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tale.core.InputException;
import tale.core.model.LayerMask;
import tale.core.model.Model;

/**
 * Prints {"logits": [[...], ...]}: one row of f32 logits per input position. A stable contract: it is how
 * anyone checks this runtime against another implementation (see shared/tools/hf_logits.py).
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Print the logits of every position as JSON, optionally with layers removed.")
final class LogitsCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Hugging Face model directory") Path model;
    @ArgGroup(exclusive = true, multiplicity = "1") Input input;
    @Option(names = "--drop", defaultValue = "", description = "layers to remove, 0-indexed, e.g. 0,3") String drop;
    @Option(names = "--precision", defaultValue = "f32", description = "f32 or f16") String precision;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu, gpu:N or auto") String device;

    static final class Input {
        @Option(names = "--tokens", description = "comma-separated token ids") String tokens;
        @Option(names = "--text", description = "text to tokenize (no special tokens added)") String text;
    }

    @Override
    public Integer call() throws Exception {
        try (Model m = Model.load(model, new Model.Options(Precisions.parse(precision), device))) {
            int[] ids = input.tokens != null ? parseTokens(input.tokens) : m.tokenizer().encode(input.text);
            if (ids.length == 0) throw new InputException("no tokens to run");
            float[][] logits = m.logits(ids, LayerMask.parse(m.numLayers(), drop));
            PrintStream out = System.out;
            var w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            w.write("{\"logits\": [");
            for (int t = 0; t < logits.length; t++) {
                if (t > 0) w.write(", ");
                w.write('[');
                for (int v = 0; v < logits[t].length; v++) {
                    if (v > 0) w.write(", ");
                    w.write(Float.toString(logits[t][v]));
                }
                w.write(']');
            }
            w.write("]}\n");
            w.flush();
        }
        return 0;
    }

    private static int[] parseTokens(String csv) {
        try {
            return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new InputException("--tokens \"" + csv + "\" is not a comma-separated list of integers");
        }
    }
}
