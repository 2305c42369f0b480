package tale.service.persistence;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;

/**
 * A service's database: PostgreSQL when a JDBC URL is configured ({@code tale.db.url}), otherwise an embedded H2
 * file under the service's data directory (so one process needs no database server). Opening it applies the
 * service's Flyway migrations to the configured schema, creating the schema when missing; every pooled connection
 * then works in that schema, so SQL names tables without a schema.
 *
 * <p>The embedded database runs in H2's PostgreSQL mode with lower-case names, so the same migrations and SQL
 * (unquoted names, {@code TIMESTAMP WITH TIME ZONE}, {@code LIMIT ?}, {@code SELECT ... FOR UPDATE}) work in both.
 */
public final class Database implements AutoCloseable {

    /**
     * What one service keeps and where.
     *
     * @param service      the service's name in messages ("results" gives "the results database")
     * @param migrations   classpath folder of the service's Flyway migrations ({@code db/results})
     * @param embeddedFile the embedded database's file, relative to the data directory (H2 adds {@code .mv.db})
     * @param classLoader  finds the migrations: the service's own, since they are resources of the service
     */
    public record Layout(String service, String migrations, String embeddedFile, ClassLoader classLoader) {

        /** Migrations under {@code db/<service>} on the classpath of {@code owner}, the file {@code db/<service>}. */
        public static Layout of(String service, Class<?> owner) {
            return new Layout(service, "db/" + service, "db/" + service, owner.getClassLoader());
        }
    }

    /**
     * @param url            JDBC URL of a PostgreSQL database; empty for the embedded database
     * @param schema         the schema holding the tables (created by the first migration)
     * @param dataDir        where the embedded database keeps its file
     * @param maxConnections pool size; at least 2, since Flyway migrates over two connections at once
     */
    public record Settings(Optional<String> url, Optional<String> username, Optional<String> password, String schema,
                           Path dataDir, int maxConnections) {
        public Settings {
            url = url.filter(u -> !u.isBlank());
            username = username.filter(u -> !u.isBlank());
            password = password.filter(pw -> !pw.isEmpty());
            if (!SCHEMA_NAME.matcher(schema).matches()) {
                throw new IllegalArgumentException("tale.db.schema '" + schema + "' must match " + SCHEMA_NAME.pattern());
            }
            if (maxConnections < 2) {
                throw new IllegalArgumentException("tale.db.max-connections must be at least 2 (Flyway migrates over two "
                        + "connections), got " + maxConnections);
            }
        }
    }

    /** Work against one connection; the caller decides about transactions. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** H2's default administrator, which an embedded file gets when no user is configured. */
    private static final String EMBEDDED_USER = "sa";

    private final AgroalDataSource pool;
    private final String description;

    private Database(AgroalDataSource pool, String description) {
        this.pool = pool;
        this.description = description;
    }

    public static Database open(Layout layout, Settings settings) {
        String url;
        Class<?> driver;
        String useSchema;
        String description;
        if (settings.url().isPresent()) {
            url = settings.url().get();
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("tale.db.url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got "
                        + redacted(url));
            }
            driver = org.postgresql.Driver.class;
            // PostgreSQL accepts a search_path naming a schema that Flyway creates only later.
            useSchema = "SET search_path TO \"" + settings.schema() + "\"";
            description = "PostgreSQL " + redacted(url);
        } else {
            Path file = settings.dataDir().toAbsolutePath().resolve(layout.embeddedFile());
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the database folder " + file.getParent() + ": " + e.getMessage(), e);
            }
            // AUTO_SERVER stays off: one service process owns its file; DB_CLOSE_DELAY keeps it open between pool churn.
            // H2 refuses to switch to a missing schema, so the URL creates it before Flyway's first connection.
            url = "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1"
                    + ";INIT=CREATE SCHEMA IF NOT EXISTS \"" + settings.schema() + "\"";
            driver = org.h2.Driver.class;
            useSchema = "SET SCHEMA \"" + settings.schema() + "\"";
            description = "embedded H2 " + file;
        }
        String jdbcUrl = url;
        boolean postgresql = settings.url().isPresent();
        Optional<String> user = postgresql ? settings.username() : settings.username().or(() -> Optional.of(EMBEDDED_USER));
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(p -> {
                    p.maxSize(settings.maxConnections()).minSize(0).initialSize(0)
                            .acquisitionTimeout(Duration.ofSeconds(30))
                            .connectionFactoryConfiguration(f -> {
                                f.jdbcUrl(jdbcUrl).connectionProviderClass(driver).initialSql(useSchema);
                                user.ifPresent(u -> f.principal(new NamePrincipal(u)));
                                settings.password().ifPresent(pw -> f.credential(new SimplePassword(pw)));
                                return f;
                            });
                    // A connection broken by a server restart leaves the pool instead of failing the next borrower.
                    if (postgresql) p.exceptionSorter(new PostgreSQLExceptionSorter());
                    return p;
                });
        AgroalDataSource pool;
        try {
            pool = AgroalDataSource.from(config);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up the connection pool for " + redacted(jdbcUrl) + ": " + e.getMessage(), e);
        }
        try {
            Flyway.configure(layout.classLoader())
                    .dataSource(pool)
                    .schemas(settings.schema())
                    .createSchemas(true)
                    .locations("classpath:" + layout.migrations())
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot migrate the " + layout.service() + " database " + redacted(jdbcUrl)
                    + " (schema " + settings.schema() + "): " + e.getMessage(), e);
        }
        return new Database(pool, description + " schema " + settings.schema());
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

    /** The database kind, where it is (a password in the URL masked) and the schema: for logs and health checks. */
    @Override
    public String toString() {
        return description;
    }

    @Override
    public void close() {
        pool.close();
    }
}
