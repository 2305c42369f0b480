package tale.orchestrator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tale.messages.Topics;
import tale.messages.UnitResult;
import tale.messages.WorkUnit;

/**
 * A worker on the real broker: reads tale.work-units, scores each unit with {@link TestWorker} (core's
 * LocalEvaluator) and answers on tale.scores, misbehaving as each job's {@link Mode} says.
 */
final class KafkaTestWorker implements AutoCloseable {

    enum Mode {
        /** Answer each unit once. */
        NORMAL,
        /** Answer every unit twice; hold back the first attempt of each step's first unit until it is re-issued, then
         *  answer the re-issue and, late, the held attempt too. */
        DUPLICATES_AND_LATE,
        /** Answer with an error result. */
        ERROR,
        /** Never answer. */
        SILENT
    }

    private final ObjectMapper json;
    private final TestWorker scorer;
    private final KafkaProducer<String, String> producer;
    private final Map<String, Mode> modes = new ConcurrentHashMap<>();
    private final Map<String, WorkUnit> held = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger units = new AtomicInteger();
    final AtomicInteger reissuedSeen = new AtomicInteger();
    private final Thread thread;

    KafkaTestWorker(String bootstrap, ObjectMapper json, TestWorker scorer) {
        this.json = json;
        this.scorer = scorer;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(p);
        thread = new Thread(this::run, "kafka-test-worker");
        thread.setDaemon(true);
        thread.start();
    }

    void mode(String jobId, Mode mode) {
        modes.put(jobId, mode);
    }

    /** Publishes a raw record on tale.scores (poison messages, results for unknown units). */
    void sendRaw(String key, String value) {
        producer.send(new ProducerRecord<>(Topics.SCORES, key, value));
        producer.flush();
    }

    void send(UnitResult result) throws Exception {
        sendRaw(result.jobId(), json.writeValueAsString(result));
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestOrchestrator.bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-workers");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(Topics.WORK_UNITS));
            while (running.get()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        handle(json.readValue(record.value(), WorkUnit.class));
                    } catch (Exception e) {
                        System.err.println("test worker: " + e);
                    }
                }
            }
        }
    }

    private void handle(WorkUnit unit) throws Exception {
        units.incrementAndGet();
        if (unit.attempt() > 1) reissuedSeen.incrementAndGet();
        Mode mode = modeOf(unit.jobId());
        switch (mode) {
            case NORMAL -> send(scorer.answer(unit));
            case ERROR -> send(UnitResult.failed(unit.jobId(), unit.unitId(), unit.attempt(), "test-worker",
                    "model file is corrupt (test)", 0));
            case SILENT -> { }
            case DUPLICATES_AND_LATE -> {
                if (unit.attempt() == 1 && unit.from() == 0) {
                    held.put(unit.jobId() + "/" + unit.unitId(), unit);
                    return;
                }
                UnitResult result = scorer.answer(unit);
                send(result);
                send(result);
                WorkUnit late = held.remove(unit.jobId() + "/" + unit.unitId());
                if (late != null) send(scorer.answer(late));
            }
        }
    }

    /** The job's mode; units may arrive before the test has registered it, so wait for it a little. */
    private Mode modeOf(String jobId) throws InterruptedException {
        for (int i = 0; i < 100 && !modes.containsKey(jobId); i++) Thread.sleep(50);
        return modes.getOrDefault(jobId, Mode.NORMAL);
    }

    List<String> heldUnits() {
        return new ArrayList<>(held.keySet());
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
        producer.close();
    }
}
