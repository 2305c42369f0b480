package tale.results.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PersistentlyTest {

    @Test
    void retriesWhileTheDatabaseIsUnreachable() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Persistently.write("x", () -> {
            if (calls.incrementAndGet() < 3) throw new SQLException("Connection refused", "08001");
        });
        assertEquals(3, calls.get());
    }

    @Test
    void throwsTheRecordsOwnErrorsAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        SQLException tooLong = new SQLException("value too long for type character varying(200)", "22001");
        SQLException thrown = assertThrows(SQLException.class, () -> Persistently.write("x", () -> {
            calls.incrementAndGet();
            throw tooLong;
        }));
        assertSame(tooLong, thrown);
        assertEquals(1, calls.get());
    }

    @Test
    void classifiesStates() {
        assertTrue(Persistently.isTransient(new SQLException("admin shutdown", "57P01")));
        assertTrue(Persistently.isTransient(new SQLException("deadlock", "40P01")));
        assertTrue(Persistently.isTransient(new SQLException("Acquisition timeout while waiting for new connection")));
        assertFalse(Persistently.isTransient(new SQLException("duplicate key", "23505")));
        assertFalse(Persistently.isTransient(new SQLException("syntax", "42601")));
    }
}
