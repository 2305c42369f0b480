package tale.cli.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The services' runnable jars ({@code <module>/target/quarkus-app/quarkus-run.jar}) and their build: like the
 * {@code ./tale} launcher does for the command line, a jar is rebuilt when it is missing or older than any source
 * it is built from (the root pom, and pom.xml and src/main of the module and of core, messages and service-support).
 */
public final class ServiceJars {

    public static final List<String> MODULES = List.of("orchestrator", "evaluator-worker", "results-store", "model-server");
    private static final List<String> SHARED_MODULES = List.of("core", "messages", "service-support");

    private ServiceJars() { }

    public static Path jar(Path repo, String module) {
        return repo.resolve(module).resolve("target").resolve("quarkus-app").resolve("quarkus-run.jar");
    }

    /** The first service jar that does not exist; null when all do. */
    static Path firstMissing(Path repo) {
        return MODULES.stream().map(m -> jar(repo, m)).filter(j -> !Files.exists(j)).findFirst().orElse(null);
    }

    /** The modules whose jar is missing or older than one of its sources. */
    public static List<String> stale(Path repo) {
        List<String> stale = new ArrayList<>();
        for (String module : MODULES) {
            Path jar = jar(repo, module);
            if (!Files.exists(jar) || newerSource(repo, module, modified(jar))) stale.add(module);
        }
        return stale;
    }

    /**
     * Builds the service jars with Maven when any is stale ({@code mvn -B -q -DskipTests package -pl ... -am});
     * Maven's output goes to {@code log}. Returns the modules that were stale.
     */
    public static List<String> ensureBuilt(Path repo, Path log, java.io.PrintWriter err) {
        List<String> stale = stale(repo);
        if (stale.isEmpty()) return stale;
        err.println("tale demo: building " + String.join(", ", stale) + " (first use or sources changed; log " + log + ")...");
        err.flush();
        List<String> cmd = List.of("mvn", "-B", "-q", "-Dstyle.color=never", "-DskipTests", "package", "-pl",
                String.join(",", MODULES), "-am");
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new ClusterException("building the services failed (" + String.join(" ", cmd) + "); see " + log);
            }
        } catch (IOException e) {
            throw new ClusterException("cannot run Maven (" + e.getMessage() + "): install it or build the services with "
                    + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while building the services");
        }
        return stale;
    }

    private static boolean newerSource(Path repo, String module, FileTime jarTime) {
        List<Path> roots = new ArrayList<>(List.of(repo.resolve("pom.xml")));
        for (String m : concat(module)) {
            roots.add(repo.resolve(m).resolve("pom.xml"));
            roots.add(repo.resolve(m).resolve("src").resolve("main"));
        }
        for (Path root : roots) {
            if (!Files.exists(root)) continue;
            try (Stream<Path> files = Files.walk(root)) {
                if (files.filter(Files::isRegularFile).anyMatch(f -> modified(f).compareTo(jarTime) > 0)) return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + root + ": " + e.getMessage(), e);
            }
        }
        return false;
    }

    private static List<String> concat(String module) {
        List<String> all = new ArrayList<>(SHARED_MODULES);
        all.add(module);
        return all;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
