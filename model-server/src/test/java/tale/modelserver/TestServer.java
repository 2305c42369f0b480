package tale.modelserver;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import tale.core.model.TinyCheckpoint;

/**
 * What the integration tests serve: a real tiny checkpoint written to a temp dir (6-layer Llama, so the
 * model has a chat template and grouped-query attention) and a real Kafka broker in this JVM.
 */
public class TestServer implements QuarkusTestResourceLifecycleManager {

    public static final String MODEL = "tiny";
    public static final String ADMIN_TOKEN = "test-admin-token";
    public static final int LAYERS = 6;
    public static final String PRUNED = "1,4";

    private Path dir;
    private EmbeddedKafkaBroker kafka;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("tale-model-server-it");
            Path model = dir.resolve(MODEL);
            TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(LAYERS).withSeed(5), model);
            kafka = new EmbeddedKafkaBroker().withKafkaHost("127.0.0.1").withDeleteLogDirsOnClose(true).start();
            return Map.of(
                    "tale.models." + MODEL + ".path", model.toString(),
                    "tale.models." + MODEL + ".profiles.pruned", PRUNED,
                    "tale.admin.token", ADMIN_TOKEN,
                    "tale.selections.models.tiny-llama", MODEL,
                    "kafka.bootstrap.servers", kafka.getAdvertisedListeners());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (kafka != null) kafka.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }
}
