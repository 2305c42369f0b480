package tale.modelserver.health;

import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import tale.modelserver.model.ModelRegistry;
import tale.modelserver.model.ServedModel;

/** /q/health/ready is UP only when every configured model is loaded; each model's state is in the data. */
@Readiness
public class ModelsReadiness implements HealthCheck {

    @Inject ModelRegistry registry;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("models").status(registry.ready());
        for (ServedModel m : registry.models()) {
            r.withData(m.name(), m.state().name().toLowerCase() + m.error().map(e -> ": " + e).orElse(""));
        }
        return r.build();
    }
}
