package tale.results.persistence;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Opens (and migrates) the database at start-up from configuration, so a bad URL fails the start, not a query. */
@ApplicationScoped
public class PersistenceProducer {

    private static final Logger LOG = Logger.getLogger(PersistenceProducer.class);

    @ConfigProperty(name = "tale.db.url")
    Optional<String> url;
    @ConfigProperty(name = "tale.db.username")
    Optional<String> username;
    @ConfigProperty(name = "tale.db.password")
    Optional<String> password;
    @ConfigProperty(name = "tale.db.schema", defaultValue = "tale_results")
    String schema;
    @ConfigProperty(name = "tale.db.max-connections", defaultValue = "8")
    int maxConnections;
    @ConfigProperty(name = "tale.results.data-dir")
    Path dataDir;

    @Produces
    @Singleton
    @Startup
    Database database() {
        Database db = Database.open(new Database.Settings(url, username, password, schema, dataDir, maxConnections));
        LOG.infof("results database: %s", db);
        return db;
    }

    void close(@Disposes Database db) {
        db.close();
    }

    @Produces
    @Singleton
    EventStore eventStore(Database db, ObjectMapper json) {
        return new EventStore(db, json);
    }

    @Produces
    @Singleton
    ResultsQueries queries(Database db, ObjectMapper json) {
        return new ResultsQueries(db, json);
    }
}
