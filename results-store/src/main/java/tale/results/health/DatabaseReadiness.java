package tale.results.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import tale.results.persistence.Database;

/** Ready while the database answers: every query needs it. (Kafka is left out: queries work without the broker.) */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

    @Inject
    Database db;

    @Override
    public HealthCheckResponse call() {
        try {
            boolean valid = db.read(c -> c.isValid(2));
            return HealthCheckResponse.named("results database").status(valid).withData("database", db.toString()).build();
        } catch (Exception e) {
            return HealthCheckResponse.named("results database").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
