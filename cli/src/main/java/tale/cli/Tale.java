package tale.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import tale.core.InputException;

/** The {@code tale} command: one subcommand per job. Input errors exit 2 with one line on stderr. */
@Command(name = "tale", mixinStandardHelpOptions = true, version = "tale 0.1.0",
        description = "Task-Aware Layer Elimination: prune transformer layers by measured task accuracy.",
        subcommands = {DemoCommand.class, MakeTinyCommand.class, LogitsCommand.class, BenchPrefillCommand.class, ExportCommand.class,
                EvalCommand.class, PromptCommand.class, TrainDemoCommand.class, FinetuneCommand.class,
                BooleanExpressionsCommand.class, BenchFinetuneCommand.class, BenchEvalCommand.class, SearchCommand.class, BenchSearchCommand.class,
                AnalyzeCommand.class,
                CommandLine.HelpCommand.class})
public final class Tale {

    public static final int EXIT_BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (tests call this rather than main). */
    public static int run(String... args) {
        return run(new CommandLine(new Tale()), args);
    }

    /** Runs the command line with its output and errors going to the given writers (for tests). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Tale());
        cli.setOut(out);
        cli.setErr(err);
        return run(cli, args);
    }

    private static int run(CommandLine cli, String... args) {
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            while (cause != null && !(cause instanceof InputException)) cause = cause.getCause();
            if (cause != null) {
                commandLine.getErr().println("tale: " + cause.getMessage());
                return EXIT_BAD_INPUT;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("tale: " + e.getMessage());
            return EXIT_BAD_INPUT;
        });
        return cli.execute(args);
    }
}
