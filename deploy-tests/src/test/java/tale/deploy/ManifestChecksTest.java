package tale.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every check of {@link ManifestChecks} fails when the manifests are broken: each test builds a kustomization,
 * breaks one thing in it and expects the problem that names it. (ManifestsTest shows the unbroken ones pass.)
 */
class ManifestChecksTest {

    // ---- labels, selectors, ports, probes ----

    @Test
    void serviceSelectingNoPods() {
        expect("Service orchestrator: selector {app.kubernetes.io/name=orchestrater} matches the pods of 0 workloads",
                "base", r -> put(r, "Service", "orchestrator", "orchestrater", "spec", "selector", "app.kubernetes.io/name"));
    }

    @Test
    void serviceSelectingSeveralWorkloads() {
        expect("matches the pods of 4 workloads", "base",
                r -> put(r, "Service", "results-store", Map.of("app.kubernetes.io/part-of", "tale"), "spec", "selector"));
    }

    @Test
    void serviceTargetPortThatNoContainerHas() {
        expect("Service results-store: targetPort web is not a container port of Deployment results-store", "base",
                r -> put(r, "Service", "results-store", "web", "spec", "ports", 0, "targetPort"));
    }

    @Test
    void workloadSelectorNotMatchingItsPods() {
        expect("Deployment model-server: selector {app.kubernetes.io/name=model} does not match", "base",
                r -> put(r, "Deployment", "model-server", "model", "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
    }

    @Test
    void probeOnAnUndeclaredPort() {
        expect("Deployment results-store container results-store: readinessProbe port 9999 is not a port of the container", "base",
                r -> put(r, "Deployment", "results-store", 9999, containerPath("readinessProbe", "httpGet", "port")));
    }

    @Test
    void probeOnAPathThatIsNotQuarkusHealth() {
        expect("livenessProbe path is /health, expected /q/health/live", "base",
                r -> put(r, "Deployment", "orchestrator", "/health", containerPath("livenessProbe", "httpGet", "path")));
    }

    @Test
    void disruptionBudgetSelectingNothing() {
        expect("PodDisruptionBudget model-server: selector {app.kubernetes.io/name=modelserver} matches 0 workloads", "overlays/prod",
                r -> put(r, "PodDisruptionBudget", "model-server", "modelserver", "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
    }

    @Test
    void scrapeAnnotationOnAnotherPort() {
        expect("Deployment orchestrator: prometheus.io/port 9090 is not a container port", "base",
                r -> put(r, "Deployment", "orchestrator", "9090", "spec", "template", "metadata", "annotations", "prometheus.io/port"));
    }

    // ---- references: Secrets, ConfigMaps, volumes ----

    @Test
    void secretKeyThatTheSecretLacks() {
        expect("env TALE_DB_URL names key jdbc-url of Secret tale-db, which it lacks", "base",
                r -> put(r, "Deployment", "orchestrator", "jdbc-url", envPath(1, "valueFrom", "secretKeyRef", "key")));
    }

    @Test
    void secretKeyThatTheTemplateLacksWhereTheOperatorMakesTheSecrets() {
        expect("env TALE_DB_URL names key jdbc-url of Secret tale-db, which it lacks", "overlays/prod",
                r -> put(r, "Deployment", "orchestrator", "jdbc-url", envPath(1, "valueFrom", "secretKeyRef", "key")));
    }

    @Test
    void secretThatExistsNowhere() {
        expect("Secret tale-database is neither in the manifests nor among the Secret templates", "overlays/prod",
                r -> put(r, "Deployment", "results-store", "tale-database", envPath(1, "valueFrom", "secretKeyRef", "name")));
    }

    @Test
    void envFromAMissingConfigMap() {
        expect("envFrom ConfigMap tale-commons does not exist", "base",
                r -> put(r, "Deployment", "results-store", "tale-commons", containerPath("envFrom", 0, "configMapRef", "name")));
    }

    @Test
    void configMapVolumeItemThatTheConfigMapLacks() {
        expect("ConfigMap model-server-models has no key models.props", "base",
                r -> put(r, "Deployment", "model-server", "models.props", volumePath(1, "configMap", "items", 0, "key")));
    }

    @Test
    void claimThatDoesNotExist() {
        expect("volume models: PersistentVolumeClaim models does not exist", "base",
                r -> put(r, "Deployment", "evaluator-worker", "models", volumePath(0, "persistentVolumeClaim", "claimName")));
    }

    @Test
    void mountOfAnUndeclaredVolume() {
        expect("mounts undeclared volume scratch", "base",
                r -> put(r, "Deployment", "results-store", "scratch", containerPath("volumeMounts", 0, "name")));
    }

    @Test
    void unknownField() {
        expect("unknown field Deployment orchestrator: spec.template.spec.contianers", "base",
                r -> put(r, "Deployment", "orchestrator", List.of(), "spec", "template", "spec", "contianers"));
    }

    @Test
    void containerWithoutResources() {
        expect("Deployment results-store container results-store: resources.requests must give cpu and memory", "base",
                r -> put(r, "Deployment", "results-store", Map.of(), containerPath("resources")));
    }

    @Test
    void podRunningAsRoot() {
        expect("Deployment orchestrator: pods must run as non-root", "base",
                r -> put(r, "Deployment", "orchestrator", false, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
    }

    // ---- the services' configuration ----

    @Test
    void containerPortOtherThanQuarkusHttpPort() {
        needs("model-server");
        expect("container port 8090 differs from quarkus.http.port 8080 of model-server", "base",
                r -> put(r, "Deployment", "model-server", 8090, containerPath("ports", 0, "containerPort")));
    }

    @Test
    void containerPortThatTheImageDoesNotExpose() {
        expect("port 8090 is not exposed by model-server.Dockerfile [8080]", "base",
                r -> put(r, "Deployment", "model-server", 8090, containerPath("ports", 0, "containerPort")));
    }

    @Test
    void environmentVariableThatIsNoSetting() {
        needs("model-server");
        expect("TALE_ADMIN_TOKN is not a setting of model-server", "base",
                r -> put(r, "Deployment", "model-server", "TALE_ADMIN_TOKN", envPath(0, "name")));
    }

    @Test
    void serviceListeningOnLoopbackOnly() {
        needs("model-server");
        expect("model-server: quarkus.http.host is 127.0.0.1", "base",
                r -> put(r, "ConfigMap", "tale-common", "127.0.0.1", "data", "QUARKUS_HTTP_HOST"));
    }

    @Test
    void djlOnline() {
        needs("model-server");
        expect("model-server runs DJL and needs DJL_OFFLINE=true", "base",
                r -> put(r, "ConfigMap", "model-server", "false", "data", "DJL_OFFLINE"));
    }

    @Test
    void bootstrapAddressThatIsNoKafka() {
        needs("model-server");
        expect("kafka.bootstrap.servers kafka:9092 is not the bootstrap Service of a Kafka", "base",
                r -> put(r, "ConfigMap", "tale-common", "kafka:9092", "data", "KAFKA_BOOTSTRAP_SERVERS"));
    }

    @Test
    void bootstrapAddressOnTheTlsPort() {
        needs("model-server");
        expect("Kafka tale has no plain listener on port 9093", "base",
                r -> put(r, "ConfigMap", "tale-common", "tale-kafka-bootstrap:9093", "data", "KAFKA_BOOTSTRAP_SERVERS"));
    }

    @Test
    void topicThatNoKafkaTopicCreates() {
        needs("model-server");
        List<String> problems = problemsAfter("base", r -> r.remove(find(r, "KafkaTopic", "tale-selections")));
        assertProblem("mp.messaging.incoming.selections.topic is tale.selections, which no KafkaTopic creates", problems);
        assertProblem("TOPICS names tale.selections, which no KafkaTopic creates", problems);
    }

    @Test
    void topicListMissingADeadLetterTopic() {
        needs("results-store");
        expect("TOPICS lacks tale.jobs.dlq (results-store mp.messaging.incoming.jobs.dead-letter-queue.topic)", "base",
                r -> put(r, "Deployment", "orchestrator", "tale.jobs tale.work-units tale.scores tale.selections "
                        + "tale.work-units.dlq tale.scores.dlq tale.selections.dlq",
                        "spec", "template", "spec", "initContainers", 0, "env", 0, "value"));
    }

    @Test
    void orchestratorPartitionsOtherThanTheTopics() {
        needs("orchestrator");
        expect("tale.orchestrator.partitions is 4 but KafkaTopic tale-work-units has 8 partitions", "base",
                r -> put(r, "ConfigMap", "orchestrator", "4", "data", "TALE_ORCHESTRATOR_PARTITIONS"));
    }

    @Test
    void directoryOnTheReadOnlyRootFileSystem() {
        expect("DJL_CACHE_DIR=/var/cache/tale/djl is on the read-only root file system", "base",
                r -> put(r, "Deployment", "evaluator-worker", "/var/cache/tale/dj", containerPath("volumeMounts", 2, "mountPath")));
    }

    @Test
    void writableDirectoryOnAReadOnlyVolume() {
        expect("TALE_WORKER_DATA_CACHE=/var/cache/tale/datasets is on the read-only volume datasets", "base",
                r -> put(r, "Deployment", "evaluator-worker", true, containerPath("volumeMounts", 1, "readOnly")));
    }

    @Test
    void urlNamingNoService() {
        expect("TALE_WORKER_ORCHESTRATOR_URL names host orchestrater, but there is no Service orchestrater", "base",
                r -> put(r, "ConfigMap", "evaluator-worker", "http://orchestrater:8080", "data", "TALE_WORKER_ORCHESTRATOR_URL"));
    }

    @Test
    void urlNamingAPortTheServiceDoesNotServe() {
        expect("TALE_DB_URL names port 5433 of Service postgres, which does not serve it", "overlays/dev",
                r -> put(r, "Secret", "tale-db", "jdbc:postgresql://postgres:5433/tale", "stringData", "url"));
    }

    @Test
    void configFileThatNoVolumeProvides() {
        needs("model-server");
        expect("QUARKUS_CONFIG_LOCATIONS names /etc/tale/models.properties, which no ConfigMap volume provides", "base",
                r -> put(r, "ConfigMap", "model-server", "/etc/tale/models.properties", "data", "QUARKUS_CONFIG_LOCATIONS"));
    }

    @Test
    void configFileWithAKeyThatIsNoSetting() {
        needs("model-server");
        expect("sets tale.modles.qwen.path, which is not a setting of model-server", "base",
                r -> put(r, "ConfigMap", "model-server-models", "tale.modles.qwen.path=qwen\n", "data", "models.properties"));
    }

    // ---- Kafka and KEDA ----

    @Test
    void scalerOnAnotherConsumerGroup() {
        needs("evaluator-worker");
        expect("consumerGroup tale-workers differs from evaluator-worker's group tale-evaluator-workers", "base",
                r -> put(r, "ScaledObject", "evaluator-worker", "tale-workers", "spec", "triggers", 0, "metadata", "consumerGroup"));
    }

    @Test
    void scalerOnATopicTheWorkersDoNotRead() {
        needs("evaluator-worker");
        expect("topic tale.scores is not read by evaluator-worker", "base",
                r -> put(r, "ScaledObject", "evaluator-worker", "tale.scores", "spec", "triggers", 0, "metadata", "topic"));
    }

    @Test
    void scalerOnATopicThatDoesNotExist() {
        expect("ScaledObject evaluator-worker: topic tale.work-unit has no KafkaTopic", "base",
                r -> put(r, "ScaledObject", "evaluator-worker", "tale.work-unit", "spec", "triggers", 0, "metadata", "topic"));
    }

    @Test
    void scalerTargetThatDoesNotExist() {
        expect("ScaledObject evaluator-worker: scaleTargetRef Deployment worker does not exist", "base",
                r -> put(r, "ScaledObject", "evaluator-worker", "worker", "spec", "scaleTargetRef", "name"));
    }

    @Test
    void moreWorkersThanPartitions() {
        expect("maxReplicaCount 9 exceeds the 8 partitions of tale.work-units", "base",
                r -> put(r, "ScaledObject", "evaluator-worker", 9, "spec", "maxReplicaCount"));
    }

    @Test
    void scalerBootstrapWithoutTheNamespace() {
        expect("bootstrapServers tale-kafka-bootstrap:9092 must name namespace tale", "overlays/prod",
                r -> put(r, "ScaledObject", "evaluator-worker", "tale-kafka-bootstrap:9092", "spec", "triggers", 0, "metadata", "bootstrapServers"));
    }

    @Test
    void scalerBootstrapInAnotherNamespace() {
        expect("names namespace default, the manifests are in tale", "overlays/prod",
                r -> put(r, "ScaledObject", "evaluator-worker", "tale-kafka-bootstrap.default.svc:9092", "spec", "triggers", 0, "metadata", "bootstrapServers"));
    }

    @Test
    void topicWithMoreReplicasThanBrokers() {
        expect("KafkaTopic tale-scores: 3 replicas but Kafka tale has 1 broker(s)", "overlays/dev",
                r -> put(r, "KafkaTopic", "tale-scores", 3, "spec", "replicas"));
    }

    @Test
    void minInSyncReplicasAboveATopicsReplicas() {
        List<String> problems = problemsAfter("overlays/dev",
                r -> put(r, "Kafka", "tale", 2, "spec", "kafka", "config", "min.insync.replicas"));
        assertProblem("Kafka tale: min.insync.replicas 2 exceeds its 1 broker(s)", problems);
        assertProblem("KafkaTopic tale-jobs: min.insync.replicas 2 exceeds its 1 replicas: producers with acks=all would be refused", problems);
    }

    @Test
    void topicOfAnotherCluster() {
        expect("KafkaTopic tale-jobs: strimzi.io/cluster other is not a Kafka", "base",
                r -> put(r, "KafkaTopic", "tale-jobs", "other", "metadata", "labels", "strimzi.io/cluster"));
    }

    @Test
    void topicDefinedTwice() {
        expect("KafkaTopic tale-jobs-dlq: topic tale.jobs is defined twice", "base",
                r -> put(r, "KafkaTopic", "tale-jobs-dlq", "tale.jobs", "spec", "topicName"));
    }

    // ---- GPUs ----

    @Test
    void gpuRequestedWithoutALimit() {
        expect("nvidia.com/gpu must be given in limits, equal to the request", "overlays/gpu",
                r -> remove(r, "Deployment", "evaluator-worker", containerPath("resources", "limits", ManifestChecks.GPU)));
    }

    @Test
    void gpuWorkerOnTheCpuImage() {
        expect("has a GPU but runs image tale/evaluator-worker:0.1.0, not a CUDA build", "overlays/gpu",
                r -> put(r, "Deployment", "evaluator-worker", "tale/evaluator-worker:0.1.0", containerPath("image")));
    }

    @Test
    void gpuWorkerToldToUseTheCpu() {
        expect("has a GPU but tale.worker.device is cpu", "overlays/gpu",
                r -> put(r, "ConfigMap", "evaluator-worker", "cpu", "data", "TALE_WORKER_DEVICE"));
    }

    @Test
    void gpuDeviceWithoutAGpu() {
        expect("tale.worker.device is gpu but the container requests no nvidia.com/gpu", "base",
                r -> put(r, "ConfigMap", "evaluator-worker", "gpu", "data", "TALE_WORKER_DEVICE"));
    }

    // ---- helpers ----

    private static void needs(String service) {
        Assumptions.assumeTrue(Repo.service(service).isPresent(),
                service + "/ is not in this checkout (not merged yet): the check against its configuration cannot run");
    }

    private static void expect(String fragment, String kustomization, Consumer<List<Map<String, Object>>> breakIt) {
        assertProblem(fragment, problemsAfter(kustomization, breakIt));
    }

    private static List<String> problemsAfter(String kustomization, Consumer<List<Map<String, Object>>> breakIt) {
        List<Map<String, Object>> resources = Kustomize.build(Repo.k8s().resolve(kustomization));
        breakIt.accept(resources);
        return Repo.checks(Manifests.parse(resources)).problems();
    }

    private static void assertProblem(String fragment, List<String> problems) {
        assertTrue(problems.stream().anyMatch(p -> p.contains(fragment)),
                "expected a problem containing \"" + fragment + "\", got:\n" + String.join("\n", problems));
    }

    private static Object[] containerPath(Object... rest) {
        return concat(new Object[] {"spec", "template", "spec", "containers", 0}, rest);
    }

    private static Object[] envPath(int index, Object... rest) {
        return containerPath(concat(new Object[] {"env", index}, rest));
    }

    private static Object[] volumePath(int index, Object... rest) {
        return concat(new Object[] {"spec", "template", "spec", "volumes", index}, rest);
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = new Object[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Map<String, Object> find(List<Map<String, Object>> resources, String kind, String name) {
        return resources.stream().filter(r -> kind.equals(r.get("kind")) && name.equals(Kustomize.metadata(r).get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    /** Sets the value at a path of keys and list indices inside resource KIND NAME, creating maps on the way. */
    private static void put(List<Map<String, Object>> resources, String kind, String name, Object value, Object... path) {
        Object parent = walk(find(resources, kind, name), path);
        Object last = path[path.length - 1];
        if (last instanceof Integer i) cast(parent, List.class).set(i, value);
        else cast(parent, Map.class).put(last, value);
    }

    private static void remove(List<Map<String, Object>> resources, String kind, String name, Object... path) {
        Object parent = walk(find(resources, kind, name), path);
        if (cast(parent, Map.class).remove(path[path.length - 1]) == null) throw new AssertionError("nothing at " + List.of(path));
    }

    @SuppressWarnings("unchecked")
    private static Object walk(Map<String, Object> root, Object... path) {
        Object at = root;
        for (int i = 0; i < path.length - 1; i++) {
            Object key = path[i];
            if (key instanceof Integer index) {
                at = cast(at, List.class).get(index);
            } else {
                at = cast(at, Map.class).computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
            }
        }
        return at;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o, Class<T> type) {
        if (!type.isInstance(o)) throw new AssertionError("expected a " + type.getSimpleName() + ", found " + o);
        return (T) o;
    }
}
