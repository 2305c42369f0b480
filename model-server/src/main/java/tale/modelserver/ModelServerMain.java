package tale.modelserver;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;
import picocli.CommandLine;
import tale.modelserver.bench.BenchCommand;

/**
 * Starts the server; {@code bench ...} instead runs {@link BenchCommand}, which either loads a running
 * server ({@code --url}) or starts this server on a generated model and benchmarks it over HTTP.
 */
@QuarkusMain
public class ModelServerMain implements QuarkusApplication {

    private static BenchCommand bench;

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("bench")) {
            bench = new BenchCommand();
            CommandLine cli = new CommandLine(bench);
            CommandLine.ParseResult parsed;
            try {
                parsed = cli.parseArgs(Arrays.copyOfRange(args, 1, args.length));
            } catch (CommandLine.ParameterException e) {
                System.err.println("bench: " + e.getMessage());
                System.exit(2);
                return;
            }
            if (CommandLine.printHelpIfRequested(parsed)) return;
            if (!bench.servesInProcess()) {
                System.exit(bench.call());
            }
            bench.configureServer();
        }
        Quarkus.run(ModelServerMain.class, args);
    }

    @Override
    public int run(String... args) throws Exception {
        if (bench == null) {
            Quarkus.waitForExit();
            return 0;
        }
        try {
            return bench.call();
        } finally {
            bench.cleanUp();
        }
    }
}
