package tale.results.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import tale.messages.ExampleScore;
import tale.messages.JobEvent;
import tale.messages.JobSpec;
import tale.messages.SelectionEvent;
import tale.messages.UnitResult;

/**
 * Writes events into the database, idempotently: delivery is at least once, so every write is keyed by the
 * event's natural key. Rounds, candidate scores, unit results and selections are facts written once (a repeat
 * finds its row and changes nothing); a job's row moves forward in event time only, so a late duplicate of an
 * old progress event cannot undo a later state.
 */
public final class EventStore {

    /** SQLSTATE of a unique-key violation, in PostgreSQL and H2 alike: another writer got there first. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final Database db;
    private final ObjectMapper json;
    private final ObjectMapper lenientJson;

    public EventStore(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
        this.lenientJson = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    public void record(JobEvent event) throws SQLException {
        retryOnRace(() -> db.inTransaction(c -> {
            upsertJob(c, event);
            if (event.roundResult() != null) insertRound(c, event.jobId(), event.roundResult());
            if (event.summary() != null) {
                // The summary repeats every round: fills rounds whose events this store never saw (e.g. expired).
                for (JobEvent.RoundResult round : summaryRounds(event.summary())) insertRound(c, event.jobId(), round);
            }
            return null;
        }));
    }

    /** What a unit result held: candidates, example x candidate scores and how many of them were correct. */
    private record Counts(int candidates, int examples, int correct) {
        static Counts of(UnitResult result) {
            if (result.scores() == null) return new Counts(0, 0, 0);
            int examples = 0;
            int correct = 0;
            for (List<ExampleScore> scores : result.scores().values()) {
                examples += scores.size();
                correct += (int) scores.stream().filter(ExampleScore::correct).count();
            }
            return new Counts(result.scores().size(), examples, correct);
        }
    }

    public void record(UnitResult result) throws SQLException {
        Counts counts = Counts.of(result);
        retryOnRace(() -> db.inTransaction(c -> {
            if (exists(c, "SELECT 1 FROM unit_results WHERE job_id = ? AND unit_id = ? AND attempt = ? AND worker_id = ?",
                    result.jobId(), result.unitId(), result.attempt(), result.workerId())) {
                return null;
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO unit_results (job_id, unit_id, attempt, worker_id, "
                    + "elapsed_ms, candidates, examples, correct, error, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, result.jobId());
                s.setString(2, result.unitId());
                s.setInt(3, result.attempt());
                s.setString(4, result.workerId());
                s.setLong(5, result.elapsedMs());
                s.setInt(6, counts.candidates());
                s.setInt(7, counts.examples());
                s.setInt(8, counts.correct());
                s.setString(9, result.error());
                s.setObject(10, OffsetDateTime.now(ZoneOffset.UTC));
                s.executeUpdate();
            }
            return null;
        }));
    }

    public void record(SelectionEvent event) throws SQLException {
        retryOnRace(() -> db.inTransaction(c -> {
            String deployed = json.convertValue(event.deployed(), String.class);
            if (exists(c, "SELECT 1 FROM selections WHERE job_id = ? AND deployed = ?", event.jobId(), deployed)) return null;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO selections (job_id, deployed, model, task, num_layers, "
                    + "removed_layers, accuracy, selected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, event.jobId());
                s.setString(2, deployed);
                s.setString(3, event.model());
                s.setString(4, event.task());
                s.setInt(5, event.numLayers());
                s.setString(6, toJson(event.removedLayers()));
                s.setDouble(7, event.accuracy());
                s.setObject(8, utc(event.timestamp()));
                s.executeUpdate();
            }
            return null;
        }));
    }

    private void upsertJob(Connection c, JobEvent e) throws SQLException {
        JobSpec spec = e.spec();
        String specJson = spec == null ? null : toJson(spec);
        String summaryJson = e.summary() == null ? null : toJson(e.summary());
        OffsetDateTime at = utc(e.timestamp());
        OffsetDateTime lastAt;
        try (PreparedStatement s = c.prepareStatement("SELECT updated_at FROM jobs WHERE job_id = ? FOR UPDATE")) {
            s.setString(1, e.jobId());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    insertJob(c, e, specJson, summaryJson, at);
                    return;
                }
                lastAt = r.getObject(1, OffsetDateTime.class);
            }
        }
        boolean newer = !at.isBefore(lastAt);
        // Older events (redelivered) may still fill what the row lacks; they never move the state back.
        String progress = newer ? "state = ?, round = ?, step = ?, done = ?, total = ?, updated_at = ?, " : "";
        try (PreparedStatement s = c.prepareStatement("UPDATE jobs SET " + progress
                + "spec = COALESCE(spec, ?), model = COALESCE(model, ?), task = COALESCE(task, ?), "
                + "num_layers = COALESCE(?, num_layers), floor = COALESCE(?, floor), summary = COALESCE(?, summary), "
                + "error = COALESCE(?, error), submitted_at = COALESCE(submitted_at, ?) WHERE job_id = ?")) {
            int i = 1;
            if (newer) {
                s.setString(i++, e.state());
                s.setInt(i++, e.round());
                s.setString(i++, e.step());
                s.setLong(i++, e.done());
                s.setLong(i++, e.total());
                s.setObject(i++, at);
            }
            s.setString(i++, specJson);
            s.setString(i++, spec == null ? null : spec.model());
            s.setString(i++, spec == null ? null : spec.task());
            setInteger(s, i++, e.numLayers());
            setDouble(s, i++, e.floor());
            s.setString(i++, summaryJson);
            s.setString(i++, e.error());
            s.setObject(i++, e.type() == JobEvent.Type.SUBMITTED ? at : null, Types.TIMESTAMP_WITH_TIMEZONE);
            s.setString(i, e.jobId());
            s.executeUpdate();
        }
    }

    private void insertJob(Connection c, JobEvent e, String specJson, String summaryJson, OffsetDateTime at)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO jobs (job_id, model, task, spec, state, round, step, done, "
                + "total, num_layers, floor, summary, error, submitted_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, e.jobId());
            s.setString(2, e.spec() == null ? null : e.spec().model());
            s.setString(3, e.spec() == null ? null : e.spec().task());
            s.setString(4, specJson);
            s.setString(5, e.state());
            s.setInt(6, e.round());
            s.setString(7, e.step());
            s.setLong(8, e.done());
            s.setLong(9, e.total());
            setInteger(s, 10, e.numLayers());
            setDouble(s, 11, e.floor());
            s.setString(12, summaryJson);
            s.setString(13, e.error());
            s.setObject(14, e.type() == JobEvent.Type.SUBMITTED ? at : null, Types.TIMESTAMP_WITH_TIMEZONE);
            s.setObject(15, at);
            s.executeUpdate();
        }
    }

    /** The job's row must exist first (foreign key): {@link #record(JobEvent)} upserts it before its rounds. */
    private void insertRound(Connection c, String jobId, JobEvent.RoundResult round) throws SQLException {
        if (exists(c, "SELECT 1 FROM rounds WHERE job_id = ? AND round = ?", jobId, round.round())) return;
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO rounds (job_id, round, removed_before, winner, accepted) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, jobId);
            s.setInt(2, round.round());
            s.setString(3, toJson(round.removedBefore()));
            s.setInt(4, round.winner());
            s.setBoolean(5, round.accepted());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO candidate_scores (job_id, round, layer, accuracy, "
                + "mean_margin, examples, dropped) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (JobEvent.CandidateScore cand : round.candidates()) {
                s.setString(1, jobId);
                s.setInt(2, round.round());
                s.setInt(3, cand.layer());
                s.setDouble(4, cand.accuracy());
                setDouble(s, 5, cand.meanMargin());
                s.setInt(6, cand.examples());
                s.setBoolean(7, cand.dropped());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static boolean exists(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) s.setObject(i + 1, params[i]);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /**
     * Runs a write once more when a concurrent writer (another replica in the consumer group after a rebalance)
     * inserted the same key between our check and our insert: the second run then finds the row.
     */
    private static void retryOnRace(Write write) throws SQLException {
        try {
            write.run();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) throw e;
            write.run();
        }
    }

    @FunctionalInterface
    private interface Write {
        void run() throws SQLException;
    }

    /** The rounds of a summary.json map (its candidates carry more fields than {@link JobEvent.CandidateScore}). */
    private List<JobEvent.RoundResult> summaryRounds(Map<String, Object> summary) {
        Object rounds = summary.get("rounds");
        if (rounds == null) return List.of();
        return lenientJson.convertValue(rounds, lenientJson.getTypeFactory()
                .constructCollectionType(List.class, JobEvent.RoundResult.class));
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static void setInteger(PreparedStatement s, int i, Integer v) throws SQLException {
        if (v == null) s.setNull(i, Types.INTEGER);
        else s.setInt(i, v);
    }

    private static void setDouble(PreparedStatement s, int i, Double v) throws SQLException {
        if (v == null) s.setNull(i, Types.DOUBLE);
        else s.setDouble(i, v);
    }
}
