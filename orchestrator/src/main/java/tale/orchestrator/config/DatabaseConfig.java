package tale.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Where jobs are kept ({@code tale.db.*}; environment TALE_DB_URL, ...): PostgreSQL when a URL is set. */
@ConfigMapping(prefix = "tale.db")
public interface DatabaseConfig {

    /** A JDBC URL (jdbc:postgresql://host:5432/db); unset: an H2 file database under the data dir. */
    Optional<String> url();

    Optional<String> username();

    Optional<String> password();

    /** Schema of the orchestrator's tables (Flyway creates it). */
    @WithDefault("tale_orchestrator")
    String schema();
}
