package tale.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Kustomize} builds what kustomize builds. */
class KustomizeTest {

    static List<String> kustomizations() {
        return Repo.kustomizations();
    }

    /** The same resources as {@code kubectl kustomize}, field for field (where kubectl is installed). */
    @ParameterizedTest
    @MethodSource("kustomizations")
    void buildsWhatKubectlBuilds(String kustomization) throws Exception {
        Path dir = Repo.k8s().resolve(kustomization);
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            Assumptions.abort("kubectl is not installed: " + e.getMessage());
            return;
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "kubectl kustomize " + kustomization + ": " + err);
        Path rendered = Files.createTempFile("kustomize", ".yaml");
        try {
            Files.write(rendered, out);
            List<String> differences = new ArrayList<>();
            diff("", byIdentity(Kustomize.readDocuments(rendered)), byIdentity(Kustomize.build(dir)), differences);
            assertEquals("", String.join("\n", differences), kustomization + ": kubectl's build (first) and ours (second) differ");
        } finally {
            Files.delete(rendered);
        }
    }

    /** Paths where two YAML trees differ, with both values. */
    private static void diff(String path, Object kubectl, Object ours, List<String> out) {
        if (kubectl instanceof Map<?, ?> a && ours instanceof Map<?, ?> b) {
            Set<Object> keys = new TreeSet<>(Comparator.comparing(String::valueOf));
            keys.addAll(a.keySet());
            keys.addAll(b.keySet());
            for (Object k : keys) diff(path + (path.isEmpty() ? "" : ".") + k, a.get(k), b.get(k), out);
        } else if (kubectl instanceof List<?> a && ours instanceof List<?> b && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) diff(path + "[" + i + "]", a.get(i), b.get(i), out);
        } else if (!Objects.equals(kubectl, ours)) {
            out.add(path + ": " + kubectl + " | " + ours);
        }
    }

    private static Map<String, Map<String, Object>> byIdentity(List<Map<String, Object>> resources) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (Map<String, Object> r : resources) {
            Map<String, Object> meta = Kustomize.metadata(r);
            out.put(r.get("kind") + " " + meta.get("namespace") + "/" + meta.get("name"), r);
        }
        return out;
    }

    @Test
    void strategicMergeMergesNamedListsOfBuiltInKindsAndReplacesOthers(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources: [app.yaml]
                patches:
                  - patch: |-
                      apiVersion: apps/v1
                      kind: Deployment
                      metadata: {name: app}
                      spec:
                        template:
                          spec:
                            containers:
                              - name: b
                                image: b:2
                                env: [{name: Y, value: "2"}]
                              - name: a
                                $patch: delete
                  - patch: |-
                      apiVersion: example.com/v1
                      kind: Thing
                      metadata: {name: thing}
                      spec:
                        items: [{name: z}]
                        gone: null
                """);
        Files.writeString(dir.resolve("app.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app}
                spec:
                  template:
                    spec:
                      containers:
                        - {name: a, image: a:1}
                        - {name: b, image: b:1, env: [{name: X, value: "1"}]}
                ---
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: thing}
                spec:
                  items: [{name: x}, {name: y}]
                  gone: 1
                """);
        List<Map<String, Object>> built = Kustomize.build(dir);
        // As kubectl: the patch's list elements first.
        assertEquals(List.of(Map.of("name", "b", "image", "b:2", "env", List.of(Map.of("name", "Y", "value", "2"), Map.of("name", "X", "value", "1")))),
                Kustomize.path(built.get(0), "spec", "template", "spec", "containers"));
        assertEquals(Map.of("items", List.of(Map.of("name", "z"))), built.get(1).get("spec"));
    }

    @Test
    void jsonPatchesNamespaceReplicasAndImages(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                namespace: team
                resources: [app.yaml]
                replicas: [{name: app, count: 3}]
                images: [{name: tale/app, newName: registry.example.com/tale/app, newTag: "2"}]
                patches:
                  - target: {kind: Deployment, name: app}
                    patch: |-
                      - {op: add, path: /metadata/labels, value: {tier: x}}
                      - {op: replace, path: /spec/template/spec/containers/0/args/1, value: b}
                      - {op: remove, path: /spec/paused}
                """);
        Files.writeString(dir.resolve("app.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app}
                spec:
                  paused: true
                  template:
                    spec:
                      containers: [{name: app, image: "tale/app:1", args: [a, a]}]
                """);
        Map<String, Object> app = Kustomize.build(dir).get(0);
        assertEquals("team", Kustomize.metadata(app).get("namespace"));
        assertEquals(Map.of("tier", "x"), Kustomize.metadata(app).get("labels"));
        assertEquals(3, Kustomize.path(app, "spec", "replicas"));
        assertEquals(null, Kustomize.path(app, "spec", "paused"));
        Map<?, ?> container = (Map<?, ?>) ((List<?>) Kustomize.path(app, "spec", "template", "spec", "containers")).get(0);
        assertEquals("registry.example.com/tale/app:2", container.get("image"));
        assertEquals(List.of("a", "b"), container.get("args"));
    }

    @Test
    void refusesWhatItDoesNotUnderstand(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: []\nconfigMapGenerator: [{name: x}]\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Kustomize.build(dir));
        assertTrue(e.getMessage().contains("field 'configMapGenerator' is not supported"), e.getMessage());
    }

    @Test
    void patchesThatMatchNothingAreErrors(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources: []
                patches:
                  - patch: |-
                      apiVersion: v1
                      kind: Secret
                      metadata: {name: nowhere}
                """);
        var e = assertThrows(IllegalArgumentException.class, () -> Kustomize.build(dir));
        assertTrue(e.getMessage().contains("matches no resource"), e.getMessage());
    }
}
