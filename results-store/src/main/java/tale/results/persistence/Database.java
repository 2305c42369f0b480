package tale.results.persistence;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;

/**
 * The results store's database: PostgreSQL when a JDBC URL is configured, otherwise an embedded H2 file under the
 * data directory (so one process needs no database server). Opening it applies the Flyway migrations under
 * {@code db/results} to the configured schema, creating the schema when missing.
 */
public final class Database implements AutoCloseable {

    /**
     * @param url            JDBC URL of a PostgreSQL database; empty for the embedded database
     * @param schema         the schema holding the tables (created by the first migration)
     * @param dataDir        where the embedded database keeps its file
     * @param maxConnections pool size
     */
    public record Settings(Optional<String> url, Optional<String> username, Optional<String> password, String schema,
                           Path dataDir, int maxConnections) {
        public Settings {
            url = url.filter(u -> !u.isBlank());
            if (!SCHEMA_NAME.matcher(schema).matches()) {
                throw new IllegalArgumentException("tale.db.schema '" + schema + "' must match " + SCHEMA_NAME.pattern());
            }
            if (maxConnections < 1) throw new IllegalArgumentException("tale.db.max-connections must be positive");
        }
    }

    /** Work against one connection; the caller decides about transactions. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final AgroalDataSource pool;
    private final String description;

    private Database(AgroalDataSource pool, String description) {
        this.pool = pool;
        this.description = description;
    }

    public static Database open(Settings settings) {
        String url;
        Class<?> driver;
        String useSchema;
        if (settings.url().isPresent()) {
            url = settings.url().get();
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("tale.db.url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got "
                        + redacted(url));
            }
            driver = org.postgresql.Driver.class;
            useSchema = "SET search_path TO \"" + settings.schema() + "\"";
        } else {
            // AUTO_SERVER stays off: one results store owns its file; DB_CLOSE_DELAY keeps it open between pool churn.
            url = "jdbc:h2:file:" + settings.dataDir().toAbsolutePath().resolve("results") + ";DB_CLOSE_DELAY=-1";
            driver = org.h2.Driver.class;
            // H2 refuses to switch to a missing schema, so the URL creates it before Flyway's first connection.
            url += ";INIT=CREATE SCHEMA IF NOT EXISTS \"" + settings.schema() + "\"";
            useSchema = "SET SCHEMA \"" + settings.schema() + "\"";
        }
        String jdbcUrl = url;
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(p -> p.maxSize(settings.maxConnections()).minSize(0).initialSize(0)
                        .acquisitionTimeout(Duration.ofSeconds(30))
                        .connectionFactoryConfiguration(f -> {
                            // PostgreSQL accepts a search_path naming a schema that Flyway creates only later.
                            f.jdbcUrl(jdbcUrl).connectionProviderClass(driver).initialSql(useSchema);
                            settings.username().filter(u -> !u.isBlank()).ifPresent(u -> f.principal(new NamePrincipal(u)));
                            settings.password().filter(pw -> !pw.isEmpty()).ifPresent(pw -> f.credential(new SimplePassword(pw)));
                            return f;
                        }));
        AgroalDataSource pool;
        try {
            pool = AgroalDataSource.from(config);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up the connection pool for " + redacted(jdbcUrl) + ": " + e.getMessage(), e);
        }
        try {
            Flyway.configure(Database.class.getClassLoader())
                    .dataSource(pool)
                    .schemas(settings.schema())
                    .createSchemas(true)
                    .locations("classpath:db/results")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot migrate the results database " + redacted(jdbcUrl) + " (schema " + settings.schema()
                    + "): " + e.getMessage(), e);
        }
        return new Database(pool, (settings.url().isPresent() ? "PostgreSQL " : "embedded H2 ")
                + redacted(jdbcUrl).replaceAll(";INIT=.*", "") + " schema " + settings.schema());
    }

    /** The URL for logs and messages: a password given in it is masked. */
    private static String redacted(String url) {
        return url.replaceAll("(?i)password=[^&;]*", "password=***");
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Runs read-only {@code work} on a pooled connection. */
    public <T> T read(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setReadOnly(true);
            try {
                return work.run(c);
            } finally {
                c.setReadOnly(false);
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }

    @Override
    public void close() {
        pool.close();
    }
}
