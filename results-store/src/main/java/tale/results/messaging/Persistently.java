package tale.results.messaging;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Retries a write while the database is unreachable, so that an outage delays events instead of sending them to the
 * dead-letter topic (the partition waits; nothing is committed past the record). Any other SQL error is the
 * record's own problem (a value too long, say) and is thrown at once, so the record is dead-lettered.
 */
final class Persistently {

    private static final Logger LOG = Logger.getLogger(Persistently.class);
    private static final Duration FIRST_WAIT = Duration.ofMillis(200);
    private static final Duration MAX_WAIT = Duration.ofSeconds(5);

    @FunctionalInterface
    interface Write {
        void run() throws SQLException;
    }

    private Persistently() { }

    static void write(String what, Write write) throws SQLException {
        Duration wait = FIRST_WAIT;
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (SQLException e) {
                if (!isTransient(e)) throw e;
                LOG.warnf("cannot store %s yet (attempt %d, database unavailable: %s); retrying in %d ms", what, attempt,
                        e.getMessage(), wait.toMillis());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
            }
        }
    }

    /**
     * Connection failures (SQLSTATE class 08), server shutdown (57P), transaction conflicts (40: deadlock,
     * serialization) and the pool's transient errors (no connection within the acquisition timeout).
     */
    static boolean isTransient(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) return true;
        String state = e.getSQLState();
        if (state == null) return e.getMessage() != null && e.getMessage().contains("Acquisition timeout");
        return state.startsWith("08") || state.startsWith("57P") || state.startsWith("40");
    }
}
