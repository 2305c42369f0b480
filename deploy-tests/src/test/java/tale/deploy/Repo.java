package tale.deploy;

import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the tests find things: the repository (deploy/ lives there) and the service modules whose configuration the
 * manifests are checked against (the same repository unless -Dtale.services.root names another checkout).
 */
final class Repo {

    private static Map<String, ServiceConfig> services;

    private Repo() { }

    static Path root() {
        return Path.of(System.getProperty("tale.repo.root", "..")).toAbsolutePath().normalize();
    }

    /** Checkouts holding the service modules, searched in order (-Dtale.services.root=DIR,DIR...). */
    static List<Path> servicesRoots() {
        return Stream.of(System.getProperty("tale.services.root", root().toString()).split(","))
                .map(p -> Path.of(p.strip()).toAbsolutePath().normalize()).toList();
    }

    static Path k8s() {
        return root().resolve("deploy/k8s");
    }

    /** Every directory under deploy/k8s holding a kustomization.yaml, relative to deploy/k8s. */
    static List<String> kustomizations() {
        try (Stream<Path> files = Files.walk(k8s())) {
            return files.filter(f -> f.getFileName().toString().equals("kustomization.yaml"))
                    .map(f -> k8s().relativize(f.getParent()).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration of every service whose module is in the checkout (read once: it scans their code). */
    static synchronized Map<String, ServiceConfig> services() {
        if (services == null) {
            Map<String, ServiceConfig> out = new LinkedHashMap<>();
            for (String s : ServiceConfig.SERVICES) service(s).ifPresent(c -> out.put(s, c));
            services = out;
        }
        return services;
    }

    /** The configuration of one service, from the first checkout that has its module. */
    static Optional<ServiceConfig> service(String name) {
        for (Path root : servicesRoots()) {
            Optional<ServiceConfig> config = ServiceConfig.load(root, name);
            if (config.isPresent()) return config;
        }
        return Optional.empty();
    }

    static Map<String, Dockerfile> images() {
        Map<String, Dockerfile> out = new LinkedHashMap<>();
        for (String s : ServiceConfig.SERVICES) Dockerfile.of(root(), s).ifPresent(d -> out.put(s, d));
        return out;
    }

    /** The Secret templates of the base: name to keys and placeholder values. */
    static Map<String, Map<String, String>> secretTemplates() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map<String, Object> doc : Kustomize.readDocuments(k8s().resolve("base/secrets.yaml"))) {
            Secret s = (Secret) Manifests.parse(doc);
            out.put(s.getMetadata().getName(), Manifests.secretData(s));
        }
        return out;
    }

    static Manifests build(String kustomization) {
        return Manifests.parse(Kustomize.build(k8s().resolve(kustomization)));
    }

    static ManifestChecks checks(Manifests manifests) {
        return new ManifestChecks(manifests, services(), images(), secretTemplates());
    }
}
