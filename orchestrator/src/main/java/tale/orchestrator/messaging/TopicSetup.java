package tale.orchestrator.messaging;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import tale.messages.Topics;
import tale.orchestrator.config.OrchestratorConfig;

/**
 * Creates the TALE topics and their dead-letter topics when they are missing (one replica, the configured
 * partitions), so consumers never wait on a topic that nobody created. In a cluster the topic operator has made
 * them already and nothing happens.
 */
@ApplicationScoped
public class TopicSetup {

    private static final Logger LOG = Logger.getLogger(TopicSetup.class);
    static final List<String> TOPICS = List.of(Topics.JOBS, Topics.WORK_UNITS, Topics.SCORES, Topics.SELECTIONS);

    private final String bootstrap;
    private final int partitions;

    public TopicSetup(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, OrchestratorConfig config) {
        this.bootstrap = bootstrap;
        this.partitions = config.partitions();
    }

    void onStart(@Observes @Priority(1) StartupEvent start) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : TOPICS) {
                for (String name : List.of(topic, Topics.deadLetter(topic))) {
                    if (!existing.contains(name)) missing.add(new NewTopic(name, partitions, (short) 1));
                }
            }
            if (missing.isEmpty()) return;
            admin.createTopics(missing).values().forEach((name, f) -> {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    LOG.infof("created topic %s (%d partitions)", name, partitions);
                } catch (Exception e) {
                    LOG.debugf("topic %s: %s", name, e.getMessage()); // created concurrently: fine
                }
            });
        } catch (Exception e) {
            LOG.warnf("could not check the Kafka topics on %s (%s); relying on the broker's auto-creation", bootstrap, e.getMessage());
        }
    }
}
