package tale.orchestrator.persistence;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;
import tale.orchestrator.config.DatabaseConfig;
import tale.orchestrator.config.OrchestratorConfig;

/**
 * Jobs in PostgreSQL ({@code tale.db.url}) or, without one, in an H2 file database under the data dir; the schema
 * comes from the Flyway migrations in {@code db/orchestrator}. One connection, used under this object's lock: the
 * orchestrator writes a row per accepted result, which one connection carries easily.
 */
@Startup
@ApplicationScoped
public class JobStore {

    private static final Logger LOG = Logger.getLogger(JobStore.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String url;
    private final String username;
    private final String password;
    private final String table;
    private Connection connection;

    public JobStore(DatabaseConfig db, OrchestratorConfig config) {
        if (!IDENTIFIER.matcher(db.schema()).matches()) {
            throw new IllegalStateException("tale.db.schema \"" + db.schema() + "\" is not a plain SQL identifier");
        }
        Path embedded = config.dataDir().toAbsolutePath().resolve("db").resolve("orchestrator");
        // PostgreSQL mode with lower-case names, so the same SQL and unquoted names work in both databases.
        this.url = db.url().filter(u -> !u.isBlank()).orElse("jdbc:h2:file:" + embedded + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        this.username = db.username().orElse(db.url().isPresent() ? null : "sa");
        this.password = db.password().orElse(db.url().isPresent() ? null : "");
        this.table = db.schema() + ".jobs";
        try {
            if (db.url().isEmpty()) Files.createDirectories(embedded.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the database folder " + embedded.getParent() + ": " + e.getMessage(), e);
        }
        Flyway.configure().dataSource(url, username, password).schemas(db.schema()).defaultSchema(db.schema())
                .locations("classpath:db/orchestrator").load().migrate();
        LOG.infof("jobs kept in %s (schema %s)", db.url().isPresent() ? "PostgreSQL " + url : "H2 " + embedded, db.schema());
    }

    /** Inserts the job or replaces its row. */
    public synchronized void save(StoredJob job) {
        run(() -> {
            try (PreparedStatement update = connection().prepareStatement("UPDATE " + table + " SET spec = ?, state = ?, "
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
            try (PreparedStatement insert = connection().prepareStatement("INSERT INTO " + table + " (id, spec, state, "
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
        });
    }

    /** Every job, oldest first. */
    public synchronized List<StoredJob> all() {
        return run(() -> {
            List<StoredJob> out = new ArrayList<>();
            try (PreparedStatement q = connection().prepareStatement("SELECT id, spec, state, num_layers, search_state, "
                    + "units, summary, error, created_at, updated_at FROM " + table + " ORDER BY created_at, id");
                 ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredJob(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getTimestamp(9).toInstant(), rs.getTimestamp(10).toInstant()));
                }
            }
            return out;
        });
    }

    @PreDestroy
    public synchronized void close() {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debugf("closing the job database: %s", e.getMessage());
        }
        connection = null;
    }

    private interface Sql<T> {
        T run() throws SQLException;
    }

    /** Runs {@code sql}, reconnecting once if the connection broke (a database restart). */
    private <T> T run(Sql<T> sql) {
        try {
            return sql.run();
        } catch (SQLException first) {
            close();
            try {
                return sql.run();
            } catch (SQLException e) {
                throw new IllegalStateException("job database " + url + ": " + e.getMessage(), e);
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, username, password);
            connection.setAutoCommit(true);
        }
        return connection;
    }
}
