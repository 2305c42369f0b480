package tale.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** deploy/k8s: every kustomization built, parsed with the Kubernetes object model and cross-checked. */
class ManifestsTest {

    static List<String> kustomizations() {
        return Repo.kustomizations();
    }

    @Test
    void theBaseAndEveryOverlayArePresent() {
        assertEquals(List.of("base", "overlays/dev", "overlays/gpu", "overlays/prod"), Repo.kustomizations());
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void agreesWithItselfAndWithTheServicesConfiguration(String kustomization) {
        List<String> problems = Repo.checks(Repo.build(kustomization)).problems();
        assertEquals("", String.join("\n", problems), kustomization + ": " + problems.size() + " problem(s)");
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void runsEveryServiceWithItsServiceAndEveryTopic(String kustomization) {
        Manifests m = Repo.build(kustomization);
        for (String service : ServiceConfig.SERVICES) {
            assertTrue(m.named(Deployment.class, service).isPresent(), kustomization + ": no Deployment " + service);
            assertTrue(m.services().stream().anyMatch(s -> s.getMetadata().getName().equals(service)), kustomization + ": no Service " + service);
        }
        Set<String> topics = new TreeSet<>();
        m.custom("KafkaTopic").forEach(t -> topics.add((String) t.get("spec", "topicName")));
        Set<String> expected = new TreeSet<>();
        for (String t : List.of("tale.jobs", "tale.work-units", "tale.scores", "tale.selections")) {
            expected.add(t);
            expected.add(t + ".dlq");
        }
        assertEquals(expected, topics, kustomization + ": topics");
    }

    /** Each YAML file under deploy/k8s parses with the object model, has no unknown field and is used by a kustomization. */
    @Test
    void everyManifestFileParsesAndIsUsed() throws IOException {
        Set<Path> used = new TreeSet<>();
        for (String k : Repo.kustomizations()) {
            Path dir = Repo.k8s().resolve(k);
            Map<String, Object> kustomization = Kustomize.readDocuments(dir.resolve("kustomization.yaml")).get(0);
            used.add(dir.resolve("kustomization.yaml"));
            for (Object r : Kustomize.list(kustomization.get("resources"))) used.add(dir.resolve((String) r).normalize());
            for (Object p : Kustomize.list(kustomization.get("patches"))) {
                if (Kustomize.map(p).get("path") instanceof String path) used.add(dir.resolve(path).normalize());
            }
        }
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Repo.k8s())) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).toList()) {
                if (!used.contains(f)) problems.add(Repo.root().relativize(f) + ": not used by any kustomization");
                if (f.getFileName().toString().equals("kustomization.yaml")) continue;
                List<HasMetadata> parsed = new ArrayList<>();
                for (Map<String, Object> doc : Kustomize.readDocuments(f)) parsed.add(Manifests.parse(doc));
                if (parsed.isEmpty()) problems.add(Repo.root().relativize(f) + ": no resource");
                new Manifests(parsed).unknownFields().forEach(u -> problems.add(Repo.root().relativize(f) + ": unknown field " + u));
            }
        }
        assertEquals("", String.join("\n", problems));
    }

    /** The services' configuration is what the manifests are checked against: each module present must have it. */
    @TestFactory
    Stream<DynamicTest> eachServiceConfigurationIsRead() {
        return ServiceConfig.SERVICES.stream().map(s -> DynamicTest.dynamicTest(s, () -> {
            var config = Repo.service(s);
            Assumptions.assumeTrue(config.isPresent(), s + "/ is not in " + Repo.servicesRoots()
                    + " (not merged yet): its manifests are checked without its configuration");
            assertFalse(config.get().properties.isEmpty(), s + ": empty application.properties");
            assertTrue(config.get().properties.containsKey("quarkus.http.port"), s + ": no quarkus.http.port");
        }));
    }

    @Test
    void baseScalesWorkersOnTheWorkUnitsBacklog() {
        Manifests m = Repo.build("base");
        GenericKubernetesResource so = m.custom("ScaledObject").get(0);
        assertEquals("evaluator-worker", so.get("spec", "scaleTargetRef", "name"));
        Map<?, ?> trigger = (Map<?, ?>) ((List<?>) so.get("spec", "triggers")).get(0);
        assertEquals("kafka", trigger.get("type"));
        assertEquals("tale.work-units", ((Map<?, ?>) trigger.get("metadata")).get("topic"));
    }

    @Test
    void devRunsOneWorkerWithoutKedaAndItsOwnPostgres() {
        Manifests m = Repo.build("overlays/dev");
        assertTrue(m.custom("ScaledObject").isEmpty());
        assertEquals(1, m.named(Deployment.class, "evaluator-worker").orElseThrow().getSpec().getReplicas());
        assertTrue(m.workload("postgres").isPresent());
        assertEquals(1, ((Number) m.custom("KafkaNodePool").get(0).get("spec", "replicas")).intValue());
    }

    @Test
    void prodAppliesNoSecret() {
        assertTrue(Repo.build("overlays/prod").all(Secret.class).isEmpty(), "prod must not overwrite the real Secrets");
        assertTrue(Repo.build("overlays/gpu").all(Secret.class).isEmpty(), "gpu (prod with GPUs) must not either");
    }

    @Test
    void gpuOverlayGivesEachWorkerOneGpuAndTheCudaImage() {
        Manifests m = Repo.build("overlays/gpu");
        Deployment worker = m.named(Deployment.class, "evaluator-worker").orElseThrow();
        var pod = worker.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertEquals(new Quantity("1"), c.getResources().getLimits().get(ManifestChecks.GPU));
        assertTrue(c.getImage().endsWith("-cuda"), c.getImage());
        assertFalse(pod.getNodeSelector().isEmpty(), "GPU workers need a node selector");
        assertTrue(pod.getTolerations().stream().anyMatch(t -> ManifestChecks.GPU.equals(t.getKey())), "GPU nodes' taint tolerated");
        Map<String, String> config = m.configMapData("evaluator-worker").orElseThrow();
        assertEquals("gpu", config.get("TALE_WORKER_DEVICE"));
        assertEquals("f16", config.get("TALE_WORKER_PRECISION"));
        for (String other : List.of("orchestrator", "results-store", "model-server")) {
            m.named(Deployment.class, other).orElseThrow().getSpec().getTemplate().getSpec().getContainers().forEach(x -> {
                if (x.getResources().getLimits().containsKey(ManifestChecks.GPU)) fail(other + " should not take a GPU");
            });
        }
    }
}
