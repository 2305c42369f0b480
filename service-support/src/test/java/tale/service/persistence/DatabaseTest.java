package tale.service.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opens the database on the machine's real PostgreSQL (127.0.0.1:5432, database test, a fresh schema per test,
 * dropped afterwards) and as the embedded H2 file, with this module's test migrations ({@code db/support-test}).
 */
class DatabaseTest {

    static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    static final Database.Layout LAYOUT = Database.Layout.of("support-test", DatabaseTest.class);

    @TempDir Path dataDir;
    private String schema;
    private final List<Database> opened = new ArrayList<>();

    private Database open(String kind) {
        if (schema == null) schema = "test_support_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Optional<String> url = kind.equals("postgresql") ? Optional.of(POSTGRES_URL) : Optional.empty();
        Database db = Database.open(LAYOUT, new Database.Settings(url, Optional.of("postgres"), Optional.empty(), schema,
                dataDir, 2));
        opened.add(db);
        return db;
    }

    @AfterEach
    void dropSchema() throws Exception {
        opened.forEach(Database::close);
        if (opened.stream().anyMatch(db -> db.toString().startsWith("PostgreSQL"))) {
            try (Connection c = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA \"" + schema + "\" CASCADE");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void migratesIntoItsSchemaCommitsRollsBackAndKeepsRowsAcrossAReopen(String kind) throws Exception {
        Database db = open(kind);
        assertTrue(db.toString().startsWith(kind.equals("postgresql") ? "PostgreSQL " : "embedded H2 "), db.toString());
        assertTrue(db.toString().endsWith(" schema " + schema), db.toString());
        assertEquals(List.of("notes"), db.read(c -> strings(c,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name = 'notes'", schema)),
                "the migration's table is in the configured schema, found by its unquoted lower-case name");

        OffsetDateTime at = OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC);
        db.inTransaction(c -> insert(c, 1, "kept", at));
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> db.inTransaction(c -> {
            insert(c, 2, "rolled back", at);
            throw new IllegalStateException("work failed after its insert");
        }));
        assertEquals("work failed after its insert", failed.getMessage());
        SQLException duplicate = assertThrows(SQLException.class, () -> db.inTransaction(c -> {
            insert(c, 3, "rolled back too", at);
            return insert(c, 1, "same key", at);
        }));
        assertEquals("23505", duplicate.getSQLState(), "a unique-key violation reads alike in both databases");
        assertEquals(List.of("kept"), db.read(c -> strings(c, "SELECT body FROM notes ORDER BY id LIMIT ?", 10)));

        db.close();
        Database reopened = open(kind);
        assertEquals(List.of("kept"), reopened.read(c -> strings(c, "SELECT body FROM notes ORDER BY id")));
        assertEquals(at.toInstant(), reopened.read(c -> {
            try (ResultSet r = c.createStatement().executeQuery("SELECT written_at FROM notes")) {
                r.next();
                return r.getObject(1, OffsetDateTime.class).toInstant();
            }
        }));
        if (kind.equals("h2")) {
            assertTrue(Files.exists(dataDir.resolve("db/support-test.mv.db")), "the embedded file is <data-dir>/db/<service>");
        }
    }

    @Test
    void refusesANonPostgresqlUrlABadSchemaNameATooSmallPoolAndAnUnreachableDatabase() {
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class, () -> Database.open(LAYOUT,
                new Database.Settings(Optional.of("jdbc:mysql://x/db?password=secret"), Optional.empty(), Optional.empty(),
                        "tale_results", dataDir, 2)));
        assertTrue(url.getMessage().contains("PostgreSQL") && !url.getMessage().contains("secret"), url.getMessage());
        IllegalArgumentException schema = assertThrows(IllegalArgumentException.class, () -> new Database.Settings(
                Optional.empty(), Optional.empty(), Optional.empty(), "x\"; drop", dataDir, 2));
        assertTrue(schema.getMessage().contains("tale.db.schema"), schema.getMessage());
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class, () -> new Database.Settings(
                Optional.empty(), Optional.empty(), Optional.empty(), "tale_results", dataDir, 1));
        assertTrue(pool.getMessage().contains("tale.db.max-connections must be at least 2"), pool.getMessage());
        IllegalStateException down = assertThrows(IllegalStateException.class, () -> Database.open(LAYOUT,
                new Database.Settings(Optional.of("jdbc:postgresql://127.0.0.1:1/test?password=secret"), Optional.empty(),
                        Optional.empty(), "tale_results", dataDir, 2)));
        assertTrue(down.getMessage().contains("cannot migrate the support-test database"), down.getMessage());
        assertTrue(down.getMessage().contains("127.0.0.1:1") && !down.getMessage().contains("secret"), down.getMessage());
    }

    @Test
    void aFailingMigrationNamesTheServiceItsDatabaseAndSchema() {
        Database.Layout broken = Database.Layout.of("support-broken", DatabaseTest.class);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Database.open(broken,
                new Database.Settings(Optional.empty(), Optional.empty(), Optional.empty(), "tale_broken", dataDir, 2)));
        assertTrue(e.getMessage().startsWith("cannot migrate the support-broken database jdbc:h2:file:"), e.getMessage());
        assertTrue(e.getMessage().contains("(schema tale_broken)"), e.getMessage());
    }

    private static int insert(Connection c, int id, String body, OffsetDateTime at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO notes (id, body, written_at) VALUES (?, ?, ?)")) {
            s.setInt(1, id);
            s.setString(2, body);
            s.setObject(3, at);
            return s.executeUpdate();
        }
    }

    private static List<String> strings(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) s.setObject(i + 1, params[i]);
            List<String> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(r.getString(1));
            }
            return out;
        }
    }
}
