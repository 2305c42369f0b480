package tale.modelserver.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import tale.core.InputException;
import tale.messages.SelectionEvent;
import tale.modelserver.config.ServerConfig;
import tale.modelserver.model.ModelRegistry;
import tale.modelserver.model.ServedModel;

/**
 * Applies selection events from {@code tale.selections}: the event's model (mapped through
 * {@code tale.selections.models.*}) and task name the profile "model:task" (a task such as
 * "bbh/date_understanding" becomes the profile "bbh-date_understanding"), which gets the event's removed
 * layers. Events for models this server does not serve are skipped. An event that cannot be applied
 * (malformed JSON, unknown schema version, wrong layer count, bad profile name) throws, so SmallRye sends
 * it to the dead-letter topic and consumption goes on. Redeliveries of an applied event change nothing.
 */
@ApplicationScoped
public class SelectionConsumer {

    private static final Logger LOG = Logger.getLogger(SelectionConsumer.class);

    @Inject ObjectMapper json;
    @Inject ModelRegistry registry;
    @Inject ServerConfig config;

    @Incoming("selections")
    public void consume(String payload) throws IOException {
        if (payload == null) throw new InputException("selection record has no value");
        apply(json.readValue(payload, SelectionEvent.class));
    }

    void apply(SelectionEvent event) {
        String model = config.selections().models().getOrDefault(event.model(), event.model());
        if (!registry.contains(model)) {
            LOG.debugf("selection %s for model %s skipped: not served here", event.jobId(), event.model());
            return;
        }
        ServedModel served = registry.model(model);
        if (event.numLayers() != served.numLayers()) {
            throw new InputException("selection " + event.jobId() + " is for a " + event.numLayers()
                    + "-layer model; served model " + model + " has " + served.numLayers() + " layers");
        }
        String source = "selection " + event.jobId() + " (" + event.deployed().name().toLowerCase() + ", accuracy "
                + event.accuracy() + ")";
        registry.setProfile(model, profileName(event.task()), event.removedLayers(), source);
    }

    /** The task's name as a profile name: characters other than letters, digits, '.', '_', '-' become '-'. */
    static String profileName(String task) {
        return task.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
