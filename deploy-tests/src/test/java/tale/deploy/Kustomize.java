package tale.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a kustomization into its resources, as {@code kubectl kustomize} does, for the subset of kustomize that
 * deploy/k8s uses: {@code resources} (files and directories), {@code patches} (strategic-merge or JSON 6902, from a
 * file or inline, with an optional target), {@code namespace}, {@code replicas} and {@code images}. Any other field
 * is refused, so a kustomization that outgrows this class fails the tests instead of being half understood.
 * {@link KustomizeTest} compares the result with kubectl's where kubectl is installed.
 */
final class Kustomize {

    static final ObjectMapper YAML = new YAMLMapper();
    private static final Set<String> SUPPORTED =
            Set.of("apiVersion", "kind", "resources", "patches", "namespace", "replicas", "images");
    /** Kinds whose lists merge element by element ("name" is their merge key); custom resources' lists are replaced. */
    private static final Pattern BUILT_IN_API = Pattern.compile("v1|(apps|batch|policy|networking\\.k8s\\.io)/v1");

    private Kustomize() { }

    /** The resources of the kustomization in {@code dir}, each a mutable map in document order. */
    static List<Map<String, Object>> build(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(dir + ": no kustomization.yaml");
        Map<String, Object> k = readDocuments(file).get(0);
        for (String field : k.keySet()) {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(file + ": field '" + field + "' is not supported by tale.deploy.Kustomize");
            }
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Object entry : list(k.get("resources"))) {
            Path path = dir.resolve((String) entry).normalize();
            if (Files.isDirectory(path)) resources.addAll(build(path));
            else if (Files.isRegularFile(path)) resources.addAll(readDocuments(path));
            else throw new IllegalArgumentException(file + ": resource " + entry + " does not exist");
        }
        for (Object p : list(k.get("patches"))) applyPatch(dir, file, map(p), resources);
        if (k.get("namespace") instanceof String namespace) {
            for (Map<String, Object> r : resources) {
                if (!"Namespace".equals(r.get("kind"))) metadata(r).put("namespace", namespace);
            }
        }
        for (Object r : list(k.get("replicas"))) setReplicas(file, map(r), resources);
        for (Object i : list(k.get("images"))) setImage(map(i), resources);
        return resources;
    }

    /** Every YAML document of a file, empty ones left out. */
    static List<Map<String, Object>> readDocuments(Path file) {
        try {
            return documents(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<Map<String, Object>> documents(String text, String origin) {
        try (var it = YAML.readerFor(new TypeReference<LinkedHashMap<String, Object>>() { }).readValues(text)) {
            List<Map<String, Object>> docs = new ArrayList<>();
            while (it.hasNext()) {
                Object doc = it.next();
                if (doc != null) docs.add(map(doc));
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(origin + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    private static void applyPatch(Path dir, Path file, Map<String, Object> spec, List<Map<String, Object>> resources) {
        String text;
        try {
            text = spec.containsKey("path") ? Files.readString(dir.resolve((String) spec.get("path")))
                    : (String) Objects.requireNonNull(spec.get("patch"), file + ": a patch needs 'path' or 'patch'");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": patch " + spec.get("path") + ": " + e.getMessage(), e);
        }
        Map<String, Object> target = spec.containsKey("target") ? map(spec.get("target")) : null;
        Object parsed;
        try {
            parsed = YAML.readValue(text, Object.class);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": patch is not valid YAML: " + e.getMessage(), e);
        }
        if (parsed instanceof List<?> ops) {
            if (target == null) throw new IllegalArgumentException(file + ": a JSON 6902 patch needs a target");
            List<Map<String, Object>> matched = matching(resources, target);
            if (matched.isEmpty()) throw new IllegalArgumentException(file + ": patch target " + target + " matches no resource");
            for (Map<String, Object> r : matched) JsonPatch.apply(r, ops);
            return;
        }
        List<Map<String, Object>> patches = documents(text, file + ": patch");
        for (Map<String, Object> patch : patches) {
            Map<String, Object> selector = target != null ? target : Map.of(
                    "kind", patch.get("kind"), "name", metadata(patch).get("name"));
            List<Map<String, Object>> matched = matching(resources, selector);
            if (matched.isEmpty()) throw new IllegalArgumentException(file + ": patch for " + selector + " matches no resource");
            for (Map<String, Object> r : matched) {
                if ("delete".equals(patch.get("$patch"))) {
                    resources.remove(r);
                } else {
                    Map<String, Object> body = new LinkedHashMap<>(patch);
                    body.remove("apiVersion");
                    body.remove("kind");
                    boolean builtIn = BUILT_IN_API.matcher(String.valueOf(r.get("apiVersion"))).matches();
                    merge(r, body, builtIn);
                }
            }
        }
    }

    private static List<Map<String, Object>> matching(List<Map<String, Object>> resources, Map<String, Object> target) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : resources) {
            if (target.containsKey("kind") && !target.get("kind").equals(r.get("kind"))) continue;
            if (target.containsKey("name") && !Pattern.matches((String) target.get("name"), (String) metadata(r).get("name"))) continue;
            if (target.containsKey("group")) {
                String apiVersion = (String) r.get("apiVersion");
                String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                if (!target.get("group").equals(group)) continue;
            }
            out.add(r);
        }
        return out;
    }

    /**
     * Strategic merge: maps merge key by key (a null value deletes the key); lists of objects that all have a
     * "name" merge by name in built-in kinds, the patch's elements first ({@code $patch: delete} removes one); other
     * lists are replaced.
     */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> into, Map<String, Object> patch, boolean builtIn) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            Object current = into.get(key);
            if (value == null) {
                into.remove(key);
            } else if (value instanceof Map<?, ?> m && current instanceof Map<?, ?> c) {
                merge((Map<String, Object>) c, (Map<String, Object>) m, builtIn);
            } else if (builtIn && value instanceof List<?> l && current instanceof List<?> c && namedMaps(l) && namedMaps(c)) {
                // As kubectl: the patch's elements first, in its order, then the untouched ones.
                List<Object> merged = new ArrayList<>();
                List<Object> rest = new ArrayList<>(c);
                for (Object element : l) {
                    Map<String, Object> pe = (Map<String, Object>) element;
                    Map<String, Object> existing = (Map<String, Object>) rest.stream()
                            .filter(x -> ((Map<?, ?>) x).get("name").equals(pe.get("name"))).findFirst().orElse(null);
                    rest.remove(existing);
                    if ("delete".equals(pe.get("$patch"))) continue;
                    if (existing != null) {
                        merge(existing, pe, true);
                        merged.add(existing);
                    } else {
                        merged.add(deepCopy(pe));
                    }
                }
                merged.addAll(rest);
                into.put(key, merged);
            } else {
                into.put(key, deepCopy(value));
            }
        }
    }

    private static boolean namedMaps(List<?> list) {
        return !list.isEmpty() && list.stream().allMatch(x -> x instanceof Map<?, ?> m && m.get("name") != null);
    }

    private static void setReplicas(Path file, Map<String, Object> spec, List<Map<String, Object>> resources) {
        boolean found = false;
        for (Map<String, Object> r : resources) {
            if (List.of("Deployment", "StatefulSet").contains(r.get("kind")) && spec.get("name").equals(metadata(r).get("name"))) {
                map(r.get("spec")).put("replicas", spec.get("count"));
                found = true;
            }
        }
        if (!found) throw new IllegalArgumentException(file + ": replicas for " + spec.get("name") + " match no workload");
    }

    private static void setImage(Map<String, Object> spec, List<Map<String, Object>> resources) {
        for (Map<String, Object> r : resources) {
            Object podSpec = path(r, "spec", "template", "spec");
            if (!(podSpec instanceof Map<?, ?> ps)) continue;
            for (String field : List.of("initContainers", "containers")) {
                for (Object c : list(ps.get(field))) {
                    Map<String, Object> container = map(c);
                    String image = (String) container.get("image");
                    int colon = image.lastIndexOf(':');
                    String name = colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
                    String tag = colon > image.lastIndexOf('/') ? image.substring(colon + 1) : null;
                    if (!name.equals(spec.get("name"))) continue;
                    if (spec.get("newName") instanceof String n) name = n;
                    if (spec.get("newTag") instanceof String t) tag = t;
                    container.put("image", tag == null ? name : name + ":" + tag);
                }
            }
        }
    }

    static Object path(Map<String, Object> root, String... keys) {
        Object at = root;
        for (String key : keys) {
            if (!(at instanceof Map<?, ?> m)) return null;
            at = m.get(key);
        }
        return at;
    }

    static Map<String, Object> metadata(Map<String, Object> resource) {
        return map(resource.computeIfAbsent("metadata", x -> new LinkedHashMap<>()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        if (!(o instanceof Map<?, ?>)) throw new IllegalArgumentException("expected a mapping, found " + o);
        return (Map<String, Object>) o;
    }

    static List<?> list(Object o) {
        if (o == null) return List.of();
        if (!(o instanceof List<?> l)) throw new IllegalArgumentException("expected a list, found " + o);
        return l;
    }

    @SuppressWarnings("unchecked")
    static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
            return (T) copy;
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(deepCopy(v)));
            return (T) copy;
        }
        return value;
    }
}
