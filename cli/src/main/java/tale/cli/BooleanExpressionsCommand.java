package tale.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.train.BooleanExpressions;

/** Writes generated boolean expressions in the bbh_boolean_expressions task format (JSON Lines). */
@Command(name = "boolean-expressions", mixinStandardHelpOptions = true,
        description = "Generate BIG-Bench-Hard-style boolean expressions (Python precedence) as JSON Lines that "
                + "--task bbh_boolean_expressions reads.")
final class BooleanExpressionsCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--out", required = true, description = "JSON Lines file to write") Path out;
    @Option(names = "--count", defaultValue = "1000", description = "rows (default: ${DEFAULT-VALUE})") int count;
    @Option(names = "--seed", defaultValue = "0", description = "generator seed (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--min-words", defaultValue = "8", description = "fewest words before \"is\" (default: ${DEFAULT-VALUE}, as BBH)") int minWords;
    @Option(names = "--max-words", defaultValue = "8", description = "most words before \"is\" (default: ${DEFAULT-VALUE}, as BBH)") int maxWords;
    @Option(names = "--depth", defaultValue = "1", description = "deepest nesting of parentheses (default: ${DEFAULT-VALUE}, as BBH)") int depth;
    @Option(names = "--distinct", description = "no expression twice (BBH's shape has about 1,950 distinct ones)") boolean distinct;

    @Override
    public Integer call() throws Exception {
        if (count < 1) throw new tale.core.InputException("--count must be at least 1, got " + count);
        BooleanExpressions generator = new BooleanExpressions(seed, minWords, maxWords, depth);
        List<BooleanExpressions.Row> rows;
        if (distinct) {
            rows = generator.distinct(count, Set.of());
        } else {
            rows = new ArrayList<>();
            for (int i = 0; i < count; i++) rows.add(generator.next());
        }
        BooleanExpressions.writeJsonl(rows, out);
        spec.commandLine().getOut().println("wrote " + rows.size() + " rows to " + out);
        return 0;
    }
}
