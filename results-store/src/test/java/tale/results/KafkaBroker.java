package tale.results;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.util.Map;

/** A real single-node Kafka broker in the test JVM (KRaft, 127.0.0.1); topics are created on first use. */
public class KafkaBroker implements QuarkusTestResourceLifecycleManager {

    private EmbeddedKafkaBroker kafka;

    @Override
    public Map<String, String> start() {
        kafka = new EmbeddedKafkaBroker().withKafkaHost("127.0.0.1").withDeleteLogDirsOnClose(true).start();
        return Map.of("kafka.bootstrap.servers", kafka.getAdvertisedListeners());
    }

    @Override
    public void stop() {
        if (kafka != null) kafka.close();
    }
}
