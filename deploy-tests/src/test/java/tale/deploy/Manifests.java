package tale.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A set of Kubernetes resources parsed into the fabric8 object model; custom resources stay generic. */
final class Manifests {

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ClassValue<List<Method>> GETTERS = new ClassValue<>() {
        @Override
        protected List<Method> computeValue(Class<?> type) {
            return Arrays.stream(type.getMethods()).filter(g -> g.getParameterCount() == 0 && !Modifier.isStatic(g.getModifiers())
                    && g.getName().startsWith("get") && g.getDeclaringClass() != Object.class).toList();
        }
    };

    /** A Deployment or StatefulSet: what owns pods. */
    record Workload(String kind, String name, LabelSelector selector, PodTemplateSpec template, Integer replicas) {
        List<Container> allContainers() {
            List<Container> all = new ArrayList<>(template.getSpec().getInitContainers());
            all.addAll(template.getSpec().getContainers());
            return all;
        }

        @Override
        public String toString() {
            return kind + " " + name;
        }
    }

    final List<HasMetadata> resources;

    Manifests(List<HasMetadata> resources) {
        this.resources = resources;
    }

    /** Parses each resource map (as built by {@link Kustomize}) with the Kubernetes object model. */
    static Manifests parse(List<Map<String, Object>> maps) {
        List<HasMetadata> parsed = new ArrayList<>();
        for (Map<String, Object> m : maps) parsed.add(parse(m));
        return new Manifests(parsed);
    }

    static HasMetadata parse(Map<String, Object> map) {
        Object o = SERIALIZATION.convertValue(map, KubernetesResource.class);
        if (!(o instanceof HasMetadata resource)) {
            throw new IllegalArgumentException("not a Kubernetes resource: " + map.get("kind") + " " + map.get("metadata"));
        }
        return resource;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        return all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
    }

    /** Custom resources of one kind (Kafka, KafkaTopic, ScaledObject, ...). */
    List<GenericKubernetesResource> custom(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(r -> r.getKind().equals(kind)).toList();
    }

    List<Workload> workloads() {
        List<Workload> out = new ArrayList<>();
        for (Deployment d : all(Deployment.class)) {
            out.add(new Workload("Deployment", d.getMetadata().getName(), d.getSpec().getSelector(),
                    d.getSpec().getTemplate(), d.getSpec().getReplicas()));
        }
        for (StatefulSet s : all(StatefulSet.class)) {
            out.add(new Workload("StatefulSet", s.getMetadata().getName(), s.getSpec().getSelector(),
                    s.getSpec().getTemplate(), s.getSpec().getReplicas()));
        }
        return out;
    }

    Optional<Workload> workload(String name) {
        return workloads().stream().filter(w -> w.name().equals(name)).findFirst();
    }

    List<Service> services() {
        return all(Service.class);
    }

    List<PodDisruptionBudget> disruptionBudgets() {
        return all(PodDisruptionBudget.class);
    }

    boolean hasClaim(String name) {
        return named(PersistentVolumeClaim.class, name).isPresent();
    }

    Optional<Map<String, String>> configMapData(String name) {
        return named(ConfigMap.class, name).map(ConfigMap::getData);
    }

    /** A Secret's keys and values, from stringData and (base64) data. */
    static Map<String, String> secretData(Secret secret) {
        Map<String, String> out = new LinkedHashMap<>();
        secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        out.putAll(secret.getStringData());
        return out;
    }

    /**
     * Fields the object model does not know, for each typed resource: "Deployment orchestrator:
     * spec.template.spec.contianers". The API server would drop or refuse them.
     */
    List<String> unknownFields() {
        List<String> out = new ArrayList<>();
        for (HasMetadata r : resources) {
            if (r instanceof GenericKubernetesResource) continue;
            walk(r, r.getKind() + " " + r.getMetadata().getName() + ": ", "", out);
        }
        return out;
    }

    private static void walk(Object o, String owner, String path, List<String> out) {
        if (o == null) return;
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) walk(e, owner, path + "[" + i++ + "]", out);
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, owner, path + "." + k, out));
            return;
        }
        if (!o.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) return;
        for (Method getter : GETTERS.get(o.getClass())) {
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            if (field.equals("additionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(k -> out.add(owner + (path + "." + k).substring(1)));
            } else if (!(value instanceof Map<?, ?>)) {
                walk(value, owner, path + "." + field, out);
            } else {
                // Maps of objects (resources.limits, ...) hold model objects; maps of strings hold user data.
                ((Map<?, ?>) value).forEach((k, v) -> walk(v, owner, path + "." + field + "." + k, out));
            }
        }
    }
}
