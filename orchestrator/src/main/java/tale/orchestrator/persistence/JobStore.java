package tale.orchestrator.persistence;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import tale.orchestrator.config.DatabaseConfig;
import tale.orchestrator.config.OrchestratorConfig;
import tale.service.persistence.Database;

/**
 * Jobs in PostgreSQL ({@code tale.db.url}) or, without one, in an H2 file database under the data dir
 * ({@code db/orchestrator.mv.db}); the schema comes from the Flyway migrations in {@code db/orchestrator}. One
 * connection at a time, under this object's lock: the orchestrator writes a row per accepted result, which one
 * connection carries easily (the pool holds two because Flyway migrates over two).
 */
@Startup
@ApplicationScoped
public class JobStore {

    private static final Logger LOG = Logger.getLogger(JobStore.class);
    static final Database.Layout LAYOUT = Database.Layout.of("orchestrator", JobStore.class);

    private static final int CONNECTIONS = 2;

    private final Database db;

    public JobStore(DatabaseConfig db, OrchestratorConfig config) {
        this.db = Database.open(LAYOUT, new Database.Settings(db.url(), db.username(), db.password(), db.schema(),
                config.dataDir(), CONNECTIONS));
        LOG.infof("jobs kept in %s", this.db);
    }

    /** Inserts the job or replaces its row. */
    public synchronized void save(StoredJob job) {
        run(() -> db.inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE jobs SET spec = ?, state = ?, "
                    + "num_layers = ?, search_state = ?, units = ?, summary = ?, error = ?, updated_at = ? WHERE id = ?")) {
                update.setString(1, job.spec());
                update.setString(2, job.state());
                update.setInt(3, job.numLayers());
                update.setString(4, job.searchState());
                update.setString(5, job.units());
                update.setString(6, job.summary());
                update.setString(7, job.error());
                update.setTimestamp(8, Timestamp.from(job.updatedAt()));
                update.setString(9, job.id());
                if (update.executeUpdate() == 1) return null;
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO jobs (id, spec, state, "
                    + "num_layers, search_state, units, summary, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, job.id());
                insert.setString(2, job.spec());
                insert.setString(3, job.state());
                insert.setInt(4, job.numLayers());
                insert.setString(5, job.searchState());
                insert.setString(6, job.units());
                insert.setString(7, job.summary());
                insert.setString(8, job.error());
                insert.setTimestamp(9, Timestamp.from(job.createdAt()));
                insert.setTimestamp(10, Timestamp.from(job.updatedAt()));
                insert.executeUpdate();
            }
            return null;
        }));
    }

    /** Every job, oldest first. */
    public synchronized List<StoredJob> all() {
        return run(() -> db.read(c -> {
            List<StoredJob> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT id, spec, state, num_layers, search_state, "
                    + "units, summary, error, created_at, updated_at FROM jobs ORDER BY created_at, id");
                 ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredJob(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getTimestamp(9).toInstant(), rs.getTimestamp(10).toInstant()));
                }
            }
            return out;
        }));
    }

    @PreDestroy
    public synchronized void close() {
        db.close();
    }

    private interface Sql<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code sql}, once more if it failed: a connection broken by a database restart leaves the pool with the
     * failure, so the second run gets a new one.
     */
    private <T> T run(Sql<T> sql) {
        try {
            return sql.run();
        } catch (SQLException first) {
            LOG.debugf("job database %s: %s; trying once more", db, first.getMessage());
            try {
                return sql.run();
            } catch (SQLException e) {
                throw new IllegalStateException("job database " + db + ": " + e.getMessage(), e);
            }
        }
    }
}
