package tale.worker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import tale.messages.Topics;
import tale.worker.dataset.DatasetStore;

/**
 * What the worker runs against in the integration tests, all real: a Kafka broker in this JVM (topics with one
 * partition, so records are handled in publication order), a tiny checkpoint under the model root, a task file
 * under the data root, and the orchestrator's dataset endpoint over HTTP with a bearer token.
 */
public class WorkerTestResources implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "worker-it-token";
    public static final String WORKER = "it-worker";
    public static final String MODEL = "tiny";
    public static final int ROWS = 24;
    public static final String DATASET = DatasetStore.sha256Hex(Fixtures.sums(ROWS));

    private Path dir;
    private EmbeddedKafkaBroker kafka;
    private DatasetServer datasets;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("tale-worker-it");
            Fixtures.tinyModel(dir.resolve("models").resolve(MODEL));
            Files.createDirectories(dir.resolve("data"));
            Files.write(dir.resolve("data/sums.jsonl"), Fixtures.sums(ROWS));
            Files.write(dir.resolve("outside.jsonl"), Fixtures.sums(ROWS));
            datasets = new DatasetServer(TOKEN);
            datasets.put(DATASET, new DatasetServer.Dataset(Fixtures.sums(ROWS), "application/x-ndjson", "sums.jsonl"));
            kafka = new EmbeddedKafkaBroker().withKafkaHost("127.0.0.1").withDeleteLogDirsOnClose(true).start();
            try (KafkaCompanion admin = new KafkaCompanion(kafka.getAdvertisedListeners())) {
                for (String t : new String[] {Topics.WORK_UNITS, Topics.SCORES, Topics.deadLetter(Topics.WORK_UNITS)}) {
                    admin.topics().createAndWait(t, 1, Duration.ofSeconds(30));
                }
            }
            return Map.of(
                    "tale.worker.model-root", dir.resolve("models").toString(),
                    "tale.worker.data-root", dir.resolve("data").toString(),
                    "tale.worker.data-cache", dir.resolve("cache").toString(),
                    "tale.worker.orchestrator-url", datasets.url().toString(),
                    "tale.worker.id", WORKER,
                    "tale.api.token", TOKEN,
                    "kafka.bootstrap.servers", kafka.getAdvertisedListeners());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (kafka != null) kafka.close();
        if (datasets != null) datasets.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }
}
