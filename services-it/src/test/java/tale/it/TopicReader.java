package tale.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tale.cli.cluster.TaleClient;

/** Reads a topic from its beginning on a background thread, keeping every record's JSON value (or its text). */
final class TopicReader implements AutoCloseable {

    /** A record: its raw value and, when it is JSON, the parsed tree (else null). */
    record Entry(String value, JsonNode json) { }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    TopicReader(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "it-reader-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        thread = new Thread(() -> {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
                c.subscribe(List.of(topic));
                while (!closed) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        entries.add(new Entry(r.value(), parse(r.value())));
                    }
                }
            }
        }, "topic-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    private static JsonNode parse(String value) {
        try {
            return value == null ? null : TaleClient.JSON.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    static void send(String bootstrap, String topic, String key, String value) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(5000);
    }
}
