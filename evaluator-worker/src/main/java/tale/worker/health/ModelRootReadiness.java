package tale.worker.health;

import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import tale.service.ConfinedRoot;

/**
 * Ready only when the model root can be read (a missing volume would fail every unit). Kafka's part of
 * readiness is SmallRye's own check of the work-units and scores channels.
 */
@Readiness
public class ModelRootReadiness implements HealthCheck {

    @Inject
    @Named("modelRoot")
    ConfinedRoot modelRoot;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model-root").status(modelRoot.readable())
                .withData("path", modelRoot.path().toString()).build();
    }
}
