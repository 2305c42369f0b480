package tale.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tale.deploy.Manifests.Workload;

/**
 * Cross-checks a built kustomization: the resources among themselves (selectors and labels, ports, probes, Secret
 * and ConfigMap keys, volumes, Kafka topics and node pools, the KEDA scaler) and against the services'
 * configuration (ports, hosts, topics, consumer groups, settings named in the environment). {@link #problems()}
 * lists every inconsistency, one line each; an empty list means the manifests agree with themselves and the code.
 */
final class ManifestChecks {

    static final String GPU = "nvidia.com/gpu";
    private static final Pattern URL = Pattern.compile("(?:https?|jdbc:postgresql)://([A-Za-z0-9.-]+):(\\d+)");
    private static final Pattern PATH_SETTING = Pattern.compile(".*_(DIR|ROOT|CACHE)$");

    private final Manifests m;
    private final Map<String, ServiceConfig> services;
    private final Map<String, Dockerfile> images;
    private final Map<String, Map<String, String>> secretTemplates;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param services        configuration of the services whose modules are present, by service name
     * @param images          container recipes by service name (their ENV is the base of each container's environment)
     * @param secretTemplates Secrets that a kustomization leaves to the operator: name to keys (base/secrets.yaml)
     */
    ManifestChecks(Manifests manifests, Map<String, ServiceConfig> services, Map<String, Dockerfile> images,
                   Map<String, Map<String, String>> secretTemplates) {
        this.m = manifests;
        this.services = services;
        this.images = images;
        this.secretTemplates = secretTemplates;
    }

    List<String> problems() {
        problems.clear();
        m.unknownFields().forEach(f -> problems.add("unknown field " + f));
        for (Workload w : m.workloads()) checkWorkload(w);
        for (Service s : m.services()) checkService(s);
        for (PodDisruptionBudget b : m.disruptionBudgets()) {
            Map<String, String> selector = b.getSpec().getSelector().getMatchLabels();
            int n = selecting(selector).size();
            if (n != 1) problems.add("PodDisruptionBudget " + name(b) + ": selector " + selector + " matches " + n + " workloads, not 1");
        }
        checkKafka();
        for (GenericKubernetesResource so : m.custom("ScaledObject")) checkScaledObject(so);
        return List.copyOf(problems);
    }

    // ---- workloads: labels, containers, environment, volumes, probes, resources ----

    private void checkWorkload(Workload w) {
        Map<String, String> labels = w.template().getMetadata().getLabels();
        Map<String, String> selector = w.selector().getMatchLabels();
        if (selector.isEmpty() || !labels.entrySet().containsAll(selector.entrySet())) {
            problems.add(w + ": selector " + selector + " does not match its pod template's labels " + labels);
        }
        var spec = w.template().getSpec();
        Set<String> volumes = new LinkedHashSet<>();
        for (Volume v : spec.getVolumes()) {
            volumes.add(v.getName());
            checkVolume(w, v);
        }
        if (w.kind().equals("StatefulSet")) {
            m.all(StatefulSet.class).stream().filter(s -> name(s).equals(w.name()))
                    .flatMap(s -> s.getSpec().getVolumeClaimTemplates().stream()).forEach(t -> volumes.add(name(t)));
        }
        for (Container c : w.allContainers()) {
            String where = w + " container " + c.getName();
            for (VolumeMount mount : c.getVolumeMounts()) {
                if (!volumes.contains(mount.getName())) problems.add(where + ": mounts undeclared volume " + mount.getName());
            }
            checkResources(where, c);
            boolean init = spec.getInitContainers().contains(c);
            if (!init) checkProbes(where, c);
            Map<String, String> env = environment(where, c, problems);
            checkPathsOnVolumes(c, where, env);
            Optional<String> service = taleService(c);
            if (service.isPresent() && !init) checkTaleContainer(w, c, where, service.get(), env);
            checkGpu(c, where, env);
            checkUrls(where, env);
            checkTopicList(where, env);
        }
        if (taleServiceOf(w).isPresent()) {
            var security = spec.getSecurityContext();
            if (security == null || !Boolean.TRUE.equals(security.getRunAsNonRoot())) {
                problems.add(w + ": pods must run as non-root (securityContext.runAsNonRoot: true)");
            }
            checkScrapeAnnotations(w);
        }
    }

    private void checkVolume(Workload w, Volume v) {
        String where = w + " volume " + v.getName();
        if (v.getPersistentVolumeClaim() != null && !m.hasClaim(v.getPersistentVolumeClaim().getClaimName())) {
            problems.add(where + ": PersistentVolumeClaim " + v.getPersistentVolumeClaim().getClaimName() + " does not exist");
        }
        if (v.getConfigMap() != null) {
            String cm = v.getConfigMap().getName();
            Optional<Map<String, String>> data = m.configMapData(cm);
            if (data.isEmpty()) problems.add(where + ": ConfigMap " + cm + " does not exist");
            for (KeyToPath item : v.getConfigMap().getItems()) {
                if (data.isPresent() && !data.get().containsKey(item.getKey())) {
                    problems.add(where + ": ConfigMap " + cm + " has no key " + item.getKey());
                }
            }
        }
        if (v.getSecret() != null) secretKeys(where, v.getSecret().getSecretName(), problems);
    }

    private void checkResources(String where, Container c) {
        var r = c.getResources();
        if (r == null || !r.getRequests().containsKey("cpu") || !r.getRequests().containsKey("memory")) {
            problems.add(where + ": resources.requests must give cpu and memory");
        }
        if (r == null || !r.getLimits().containsKey("memory")) problems.add(where + ": resources.limits must give memory");
    }

    private void checkProbes(String where, Container c) {
        Map<String, Probe> probes = new LinkedHashMap<>();
        if (c.getStartupProbe() != null) probes.put("startupProbe", c.getStartupProbe());
        if (c.getLivenessProbe() != null) probes.put("livenessProbe", c.getLivenessProbe());
        if (c.getReadinessProbe() != null) probes.put("readinessProbe", c.getReadinessProbe());
        boolean tale = taleService(c).isPresent();
        if (tale && (c.getLivenessProbe() == null || c.getReadinessProbe() == null)) {
            problems.add(where + ": needs a livenessProbe and a readinessProbe");
        }
        probes.forEach((kind, probe) -> {
            if (probe.getHttpGet() == null) return;
            IntOrString port = probe.getHttpGet().getPort();
            if (containerPort(c, port).isEmpty()) problems.add(where + ": " + kind + " port " + text(port) + " is not a port of the container");
            String expected = kind.equals("readinessProbe") ? "/q/health/ready" : "/q/health/live";
            if (tale && !expected.equals(probe.getHttpGet().getPath())) {
                problems.add(where + ": " + kind + " path is " + probe.getHttpGet().getPath() + ", expected " + expected);
            }
        });
    }

    /**
     * The container's environment: the image's ENV, then envFrom sources in order, then env entries; each reference
     * to a ConfigMap or Secret key checked. Secret values that are not in the manifests read as "<secret NAME/KEY>".
     */
    private Map<String, String> environment(String where, Container c, List<String> problems) {
        Map<String, String> env = new LinkedHashMap<>();
        taleService(c).map(images::get).ifPresent(d -> env.putAll(d.env()));
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                String cm = from.getConfigMapRef().getName();
                Optional<Map<String, String>> data = m.configMapData(cm);
                if (data.isEmpty() && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                    problems.add(where + ": envFrom ConfigMap " + cm + " does not exist");
                }
                data.ifPresent(d -> d.forEach((k, v) -> { if (k.matches("[A-Za-z_][A-Za-z0-9_]*")) env.put(k, v); }));
            }
            if (from.getSecretRef() != null) {
                String secret = from.getSecretRef().getName();
                secretKeys(where + ": envFrom", secret, problems).forEach(env::put);
            }
        }
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), Objects.requireNonNullElse(e.getValue(), ""));
            } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
                var ref = e.getValueFrom().getConfigMapKeyRef();
                Optional<Map<String, String>> data = m.configMapData(ref.getName());
                if (data.isEmpty()) {
                    problems.add(where + ": env " + e.getName() + " names ConfigMap " + ref.getName() + ", which does not exist");
                } else if (!data.get().containsKey(ref.getKey())) {
                    problems.add(where + ": env " + e.getName() + " names key " + ref.getKey() + " of ConfigMap " + ref.getName() + ", which it lacks");
                } else {
                    env.put(e.getName(), data.get().get(ref.getKey()));
                }
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                Map<String, String> keys = secretKeys(where + ": env " + e.getName(), ref.getName(), problems);
                if (!keys.isEmpty() && !keys.containsKey(ref.getKey())) {
                    problems.add(where + ": env " + e.getName() + " names key " + ref.getKey() + " of Secret " + ref.getName() + ", which it lacks");
                }
                env.put(e.getName(), keys.getOrDefault(ref.getKey(), "<secret " + ref.getName() + "/" + ref.getKey() + ">"));
            } else {
                env.put(e.getName(), "<from the pod>");
            }
        }
        return env;
    }

    /** The keys of a Secret in the manifests, else of its template when the kustomization leaves it to the operator. */
    private Map<String, String> secretKeys(String where, String name, List<String> problems) {
        Optional<Secret> secret = m.named(Secret.class, name);
        if (secret.isPresent()) return Manifests.secretData(secret.get());
        Map<String, String> template = secretTemplates.get(name);
        if (template == null) {
            problems.add(where + ": Secret " + name + " is neither in the manifests nor among the Secret templates");
            return Map.of();
        }
        Map<String, String> placeholders = new LinkedHashMap<>();
        template.keySet().forEach(k -> placeholders.put(k, "<secret " + name + "/" + k + ">"));
        return placeholders;
    }

    // ---- a TALE service's container against its configuration ----

    private void checkTaleContainer(Workload w, Container c, String where, String service, Map<String, String> env) {
        Dockerfile image = images.get(service);
        if (image != null) {
            ContainerPort http = httpPort(c);
            if (http != null && !image.exposedPorts().contains(http.getContainerPort())) {
                problems.add(where + ": port " + http.getContainerPort() + " is not exposed by " + image + " " + image.exposedPorts());
            }
        }
        ServiceConfig config = services.get(service);
        if (config == null) return;
        for (String var : env.keySet()) {
            if (!config.knowsEnv(var)) {
                problems.add(where + ": " + var + " is not a setting of " + service
                        + " (no such key in its application.properties or code; ServiceConfig.RUNTIME_ENV lists the others)");
            }
        }
        String port = config.value("quarkus.http.port", env);
        ContainerPort http = httpPort(c);
        if (http == null || !String.valueOf(http.getContainerPort()).equals(port)) {
            problems.add(where + ": container port " + (http == null ? "(none)" : http.getContainerPort())
                    + " differs from quarkus.http.port " + port + " of " + service);
        }
        String host = config.value("quarkus.http.host", env);
        if (!"0.0.0.0".equals(host)) {
            problems.add(where + ": quarkus.http.host is " + host + "; in a pod the service must listen on 0.0.0.0 (QUARKUS_HTTP_HOST)");
        }
        if (config.usesCore()) {
            for (String var : List.of("DJL_OFFLINE", "OPT_OUT_TRACKING")) {
                if (!"true".equals(env.get(var))) problems.add(where + ": " + service + " runs DJL and needs " + var + "=true");
            }
        }
        String bootstrap = config.value("kafka.bootstrap.servers", env);
        String cluster = kafkaOf(where + ": kafka.bootstrap.servers", bootstrap, w.template().getMetadata().getNamespace(), false);
        config.topics(env).forEach((key, topic) -> {
            if (topic(topic).isEmpty()) problems.add(where + ": " + key + " is " + topic + ", which no KafkaTopic creates");
            else if (cluster != null && !cluster.equals(clusterOf(topic(topic).get()))) {
                problems.add(where + ": topic " + topic + " belongs to Kafka " + clusterOf(topic(topic).get()) + ", the service uses " + cluster);
            }
        });
        String partitions = config.value("tale.orchestrator.partitions", env);
        String unitsTopic = config.value("mp.messaging.outgoing.units.topic", env);
        if (partitions != null && unitsTopic != null) {
            topic(unitsTopic).ifPresent(t -> {
                if (!partitions.equals(String.valueOf(spec(t).get("partitions")))) {
                    problems.add(where + ": tale.orchestrator.partitions is " + partitions + " but KafkaTopic " + name(t)
                            + " has " + spec(t).get("partitions") + " partitions");
                }
            });
        }
        String metricsPath = config.value("quarkus.micrometer.export.prometheus.path", env);
        String annotated = w.template().getMetadata().getAnnotations().get("prometheus.io/path");
        if (metricsPath != null && annotated != null && !metricsPath.equals(annotated)) {
            problems.add(w + ": prometheus.io/path " + annotated + " differs from quarkus.micrometer.export.prometheus.path " + metricsPath);
        }
        String locations = env.get("QUARKUS_CONFIG_LOCATIONS");
        if (locations != null) {
            for (String file : locations.split(",")) checkConfigFile(w, c, where, file.strip(), config);
        }
    }

    /** Directories named by settings (…_DIR, …_ROOT, …_CACHE) must be volumes when the root file system is read-only. */
    private void checkPathsOnVolumes(Container c, String where, Map<String, String> env) {
        boolean readOnlyRoot = c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
        if (!readOnlyRoot) return;
        env.forEach((var, value) -> {
            if (!PATH_SETTING.matcher(var).matches() || !value.startsWith("/")) return;
            Optional<VolumeMount> mount = mountFor(c, value);
            if (mount.isEmpty()) {
                problems.add(where + ": " + var + "=" + value + " is on the read-only root file system (no volume mounted there)");
            } else if (Boolean.TRUE.equals(mount.get().getReadOnly()) && !var.endsWith("MODEL_ROOT")) {
                problems.add(where + ": " + var + "=" + value + " is on the read-only volume " + mount.get().getName());
            }
        });
    }

    private void checkConfigFile(Workload w, Container c, String where, String file, ServiceConfig config) {
        Optional<VolumeMount> mount = mountFor(c, file);
        Optional<Volume> volume = mount.flatMap(vm -> w.template().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(vm.getName())).findFirst());
        if (volume.isEmpty() || volume.get().getConfigMap() == null) {
            problems.add(where + ": QUARKUS_CONFIG_LOCATIONS names " + file + ", which no ConfigMap volume provides");
            return;
        }
        String relative = file.substring(mount.get().getMountPath().length()).replaceFirst("^/", "");
        var source = volume.get().getConfigMap();
        String key = source.getItems().isEmpty() ? relative : source.getItems().stream()
                .filter(i -> i.getPath().equals(relative)).map(KeyToPath::getKey).findFirst().orElse(null);
        String content = key == null ? null : m.configMapData(source.getName()).map(d -> d.get(key)).orElse(null);
        if (content == null) {
            problems.add(where + ": QUARKUS_CONFIG_LOCATIONS names " + file + ", which ConfigMap " + source.getName() + " does not provide");
            return;
        }
        for (String k : ServiceConfig.properties(content).stringPropertyNames()) {
            if (!config.knowsKey(k)) problems.add(where + ": " + file + " sets " + k + ", which is not a setting of " + config.name);
        }
    }

    private void checkGpu(Container c, String where, Map<String, String> env) {
        var r = c.getResources();
        Quantity requested = r == null ? null : r.getRequests().get(GPU);
        Quantity limit = r == null ? null : r.getLimits().get(GPU);
        if (requested != null && !requested.equals(limit)) {
            problems.add(where + ": " + GPU + " must be given in limits, equal to the request");
        }
        String device = Optional.ofNullable(services.get(taleService(c).orElse(""))).map(s -> s.value("tale.worker.device", env))
                .orElse(env.get("TALE_WORKER_DEVICE"));
        if (limit != null) {
            if (!c.getImage().contains("cuda")) problems.add(where + ": has a GPU but runs image " + c.getImage() + ", not a CUDA build");
            if ("cpu".equals(device)) problems.add(where + ": has a GPU but tale.worker.device is cpu");
        } else if (device != null && device.startsWith("gpu")) {
            problems.add(where + ": tale.worker.device is " + device + " but the container requests no " + GPU);
        }
    }

    /** In-cluster addresses in the environment (http://orchestrator:8080, jdbc:postgresql://postgres:5432/...) name a Service and its port. */
    private void checkUrls(String where, Map<String, String> env) {
        env.forEach((var, value) -> {
            Matcher u = URL.matcher(value);
            if (!u.find()) return;
            String host = u.group(1);
            String[] labels = host.split("\\.");
            boolean inCluster = labels.length == 1 || host.endsWith(".svc") || host.endsWith(".svc.cluster.local");
            if (!inCluster) return;
            int port = Integer.parseInt(u.group(2));
            Optional<Service> s = m.services().stream().filter(x -> name(x).equals(labels[0])).findFirst();
            if (s.isEmpty()) {
                problems.add(where + ": " + var + " names host " + host + ", but there is no Service " + labels[0]);
            } else if (s.get().getSpec().getPorts().stream().noneMatch(p -> p.getPort() == port)) {
                problems.add(where + ": " + var + " names port " + port + " of Service " + labels[0] + ", which does not serve it");
            }
        });
    }

    /** A list of topics to wait for (TOPICS) names only KafkaTopics and every topic the services use. */
    private void checkTopicList(String where, Map<String, String> env) {
        String list = env.get("TOPICS");
        if (list == null) return;
        Set<String> listed = new LinkedHashSet<>(Arrays.asList(list.trim().split("\\s+")));
        for (String t : listed) {
            if (topic(t).isEmpty()) problems.add(where + ": TOPICS names " + t + ", which no KafkaTopic creates");
        }
        for (ServiceConfig config : services.values()) {
            config.topics(Map.of()).forEach((key, t) -> {
                if (!listed.contains(t)) problems.add(where + ": TOPICS lacks " + t + " (" + config.name + " " + key + ")");
            });
        }
    }

    private void checkScrapeAnnotations(Workload w) {
        Map<String, String> a = w.template().getMetadata().getAnnotations();
        if (!"true".equals(a.get("prometheus.io/scrape"))) return;
        String port = a.get("prometheus.io/port");
        boolean declared = w.template().getSpec().getContainers().stream()
                .anyMatch(c -> c.getPorts().stream().anyMatch(p -> String.valueOf(p.getContainerPort()).equals(port)));
        if (!declared) problems.add(w + ": prometheus.io/port " + port + " is not a container port");
    }

    // ---- Services ----

    private void checkService(Service s) {
        Map<String, String> selector = s.getSpec().getSelector();
        List<Workload> selected = selector.isEmpty() ? List.of() : selecting(selector);
        if (selected.size() != 1) {
            problems.add("Service " + name(s) + ": selector " + selector + " matches the pods of " + selected.size()
                    + " workloads " + selected + ", not exactly one");
            return;
        }
        Workload w = selected.get(0);
        for (ServicePort p : s.getSpec().getPorts()) {
            IntOrString target = p.getTargetPort() != null ? p.getTargetPort() : new IntOrString(p.getPort());
            boolean found = w.template().getSpec().getContainers().stream().anyMatch(c -> containerPort(c, target).isPresent());
            if (!found) problems.add("Service " + name(s) + ": targetPort " + text(target) + " is not a container port of " + w);
        }
    }

    private List<Workload> selecting(Map<String, String> selector) {
        return m.workloads().stream()
                .filter(w -> w.template().getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
    }

    // ---- Kafka: clusters, node pools, topics, the KEDA scaler ----

    private void checkKafka() {
        Map<String, Integer> brokers = new LinkedHashMap<>();
        for (GenericKubernetesResource k : m.custom("Kafka")) brokers.put(name(k), 0);
        for (GenericKubernetesResource pool : m.custom("KafkaNodePool")) {
            String cluster = clusterOf(pool);
            if (!brokers.containsKey(cluster)) {
                problems.add("KafkaNodePool " + name(pool) + ": strimzi.io/cluster " + cluster + " is not a Kafka");
                continue;
            }
            List<?> roles = (List<?>) spec(pool).get("roles");
            if (roles != null && roles.contains("broker")) brokers.merge(cluster, number(spec(pool).get("replicas")), Integer::sum);
        }
        Map<String, Integer> minInSync = new LinkedHashMap<>();
        for (GenericKubernetesResource k : m.custom("Kafka")) {
            Map<String, Object> config = map(k.get("spec", "kafka", "config"));
            int n = brokers.get(name(k));
            if (n == 0) problems.add("Kafka " + name(k) + ": no KafkaNodePool gives it brokers");
            for (String key : List.of("default.replication.factor", "offsets.topic.replication.factor",
                    "transaction.state.log.replication.factor", "min.insync.replicas")) {
                if (config.containsKey(key) && number(config.get(key)) > n) {
                    problems.add("Kafka " + name(k) + ": " + key + " " + config.get(key) + " exceeds its " + n + " broker(s)");
                }
            }
            minInSync.put(name(k), config.containsKey("min.insync.replicas") ? number(config.get("min.insync.replicas")) : 1);
        }
        Set<String> names = new LinkedHashSet<>();
        for (GenericKubernetesResource t : m.custom("KafkaTopic")) {
            String topic = topicName(t);
            if (!names.add(topic)) problems.add("KafkaTopic " + name(t) + ": topic " + topic + " is defined twice");
            String cluster = clusterOf(t);
            if (!brokers.containsKey(cluster)) {
                problems.add("KafkaTopic " + name(t) + ": strimzi.io/cluster " + cluster + " is not a Kafka");
                continue;
            }
            int replicas = number(spec(t).get("replicas"));
            if (replicas > brokers.get(cluster)) {
                problems.add("KafkaTopic " + name(t) + ": " + replicas + " replicas but Kafka " + cluster + " has " + brokers.get(cluster) + " broker(s)");
            }
            Map<String, Object> config = map(spec(t).get("config"));
            int isr = config.containsKey("min.insync.replicas") ? number(config.get("min.insync.replicas")) : minInSync.get(cluster);
            if (isr > replicas) {
                problems.add("KafkaTopic " + name(t) + ": min.insync.replicas " + isr + " exceeds its " + replicas
                        + " replicas: producers with acks=all would be refused");
            }
        }
    }

    private void checkScaledObject(GenericKubernetesResource so) {
        String where = "ScaledObject " + name(so);
        Map<String, Object> target = map(spec(so).get("scaleTargetRef"));
        String kind = (String) target.getOrDefault("kind", "Deployment");
        Optional<Deployment> deployment = kind.equals("Deployment") ? m.named(Deployment.class, (String) target.get("name")) : Optional.empty();
        if (deployment.isEmpty()) {
            problems.add(where + ": scaleTargetRef " + kind + " " + target.get("name") + " does not exist");
            return;
        }
        int min = spec(so).containsKey("minReplicaCount") ? number(spec(so).get("minReplicaCount")) : 0;
        int max = spec(so).containsKey("maxReplicaCount") ? number(spec(so).get("maxReplicaCount")) : 100;
        if (min > max) problems.add(where + ": minReplicaCount " + min + " exceeds maxReplicaCount " + max);
        Workload w = m.workload(name(deployment.get())).orElseThrow();
        for (Object t : (List<?>) spec(so).getOrDefault("triggers", List.of())) {
            Map<String, Object> trigger = map(t);
            if (!"kafka".equals(trigger.get("type"))) continue;
            Map<String, Object> meta = map(trigger.get("metadata"));
            String topicName = (String) meta.get("topic");
            String group = (String) meta.get("consumerGroup");
            kafkaOf(where + ": bootstrapServers", (String) meta.get("bootstrapServers"), so.getMetadata().getNamespace(), true);
            Optional<GenericKubernetesResource> topic = topicName == null ? Optional.empty() : topic(topicName);
            if (topic.isEmpty()) {
                problems.add(where + ": topic " + topicName + " has no KafkaTopic");
            } else if (!"true".equals(String.valueOf(meta.get("allowIdleConsumers")))
                    && max > number(spec(topic.get()).get("partitions"))) {
                problems.add(where + ": maxReplicaCount " + max + " exceeds the " + spec(topic.get()).get("partitions")
                        + " partitions of " + topicName + "; the extra workers would idle");
            }
            for (Container c : w.template().getSpec().getContainers()) {
                ServiceConfig config = taleService(c).map(services::get).orElse(null);
                if (config == null) continue;
                // Problems of the environment itself were reported with the workload.
                Map<String, String> env = environment(w + " container " + c.getName(), c, new ArrayList<>());
                Map<String, String> channels = config.incoming(env);
                Optional<String> channel = channels.entrySet().stream().filter(e -> e.getValue().equals(topicName))
                        .map(Map.Entry::getKey).findFirst();
                if (channel.isEmpty()) {
                    problems.add(where + ": topic " + topicName + " is not read by " + config.name + " (its incoming topics: " + channels.values() + ")");
                    continue;
                }
                String configured = config.value("mp.messaging.incoming." + channel.get() + ".group.id", env);
                if (!Objects.equals(group, configured)) {
                    problems.add(where + ": consumerGroup " + group + " differs from " + config.name + "'s group " + configured
                            + " (mp.messaging.incoming." + channel.get() + ".group.id)");
                }
            }
        }
    }

    /**
     * The Kafka cluster a bootstrap address names ({@code <cluster>-kafka-bootstrap[.<namespace>.svc]:<listener
     * port>}), or null with a problem. {@code qualified}: the client runs in another namespace (KEDA), so the address
     * must name the namespace of the manifests when they have one.
     */
    private String kafkaOf(String where, String address, String namespace, boolean qualified) {
        Matcher a = Pattern.compile("([a-z0-9-]+)-kafka-bootstrap(?:\\.([a-z0-9-]+)\\.svc(?:\\.cluster\\.local)?)?:(\\d+)")
                .matcher(String.valueOf(address));
        if (!a.matches()) {
            problems.add(where + " " + address + " is not the bootstrap Service of a Kafka in the manifests");
            return null;
        }
        Optional<GenericKubernetesResource> kafka = m.custom("Kafka").stream().filter(k -> name(k).equals(a.group(1))).findFirst();
        if (kafka.isEmpty()) {
            problems.add(where + " " + address + " names Kafka " + a.group(1) + ", which is not in the manifests");
            return null;
        }
        boolean listens = ((List<?>) kafka.get().get("spec", "kafka", "listeners")).stream()
                .anyMatch(l -> String.valueOf(map(l).get("port")).equals(a.group(3)) && !Boolean.TRUE.equals(map(l).get("tls")));
        if (!listens) problems.add(where + " " + address + ": Kafka " + a.group(1) + " has no plain listener on port " + a.group(3));
        if (a.group(2) != null && namespace != null && !a.group(2).equals(namespace)) {
            problems.add(where + " " + address + " names namespace " + a.group(2) + ", the manifests are in " + namespace);
        }
        if (qualified && a.group(2) == null && namespace != null) {
            problems.add(where + " " + address + " must name namespace " + namespace + ": it is resolved outside it");
        }
        return a.group(1);
    }

    // ---- helpers ----

    private Optional<GenericKubernetesResource> topic(String topicName) {
        return m.custom("KafkaTopic").stream().filter(t -> topicName(t).equals(topicName)).findFirst();
    }

    private static String topicName(GenericKubernetesResource t) {
        Object explicit = spec(t).get("topicName");
        return explicit != null ? (String) explicit : name(t);
    }

    private static String clusterOf(GenericKubernetesResource r) {
        return r.getMetadata().getLabels().get("strimzi.io/cluster");
    }

    private static Map<String, Object> spec(GenericKubernetesResource r) {
        return map(r.getAdditionalProperties().get("spec"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static int number(Object o) {
        return o instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(o));
    }

    private static String name(HasMetadata r) {
        return r.getMetadata().getName();
    }

    private static String text(IntOrString port) {
        return port.getIntVal() != null ? String.valueOf(port.getIntVal()) : port.getStrVal();
    }

    private static Optional<ContainerPort> containerPort(Container c, IntOrString port) {
        return c.getPorts().stream().filter(p -> port.getIntVal() != null
                ? port.getIntVal().equals(p.getContainerPort()) : port.getStrVal().equals(p.getName())).findFirst();
    }

    /** The service's HTTP port: the one named http, else the only one. */
    private static ContainerPort httpPort(Container c) {
        return c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
                .orElse(c.getPorts().size() == 1 ? c.getPorts().get(0) : null);
    }

    private static Optional<VolumeMount> mountFor(Container c, String path) {
        return c.getVolumeMounts().stream()
                .filter(vm -> path.equals(vm.getMountPath()) || path.startsWith(vm.getMountPath().replaceFirst("/?$", "/")))
                .max((x, y) -> Integer.compare(x.getMountPath().length(), y.getMountPath().length()));
    }

    /** The TALE service a container runs: the last segment of its image name (tale/orchestrator:0.1.0 -> orchestrator). */
    static Optional<String> taleService(Container c) {
        String image = c.getImage();
        String name = image.contains(":") && image.lastIndexOf(':') > image.lastIndexOf('/') ? image.substring(0, image.lastIndexOf(':')) : image;
        String last = name.substring(name.lastIndexOf('/') + 1);
        return ServiceConfig.SERVICES.contains(last) && name.contains("tale/") ? Optional.of(last) : Optional.empty();
    }

    private static Optional<String> taleServiceOf(Workload w) {
        return w.template().getSpec().getContainers().stream().map(ManifestChecks::taleService).flatMap(Optional::stream).findFirst();
    }
}
