package tale.results.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tale.messages.JobEvent.CandidateScore;
import tale.messages.JobEvent.RoundResult;
import tale.messages.SelectionEvent;

/** Reads what {@link EventStore} wrote. Rounds come back as the messages' own {@link RoundResult} records. */
public final class ResultsQueries {

    private static final String JOB_COLUMNS = "job_id, model, task, state, round, step, done, total, num_layers, floor, "
            + "error, submitted_at, updated_at, spec, summary";

    private final Database db;
    private final ObjectMapper json;

    public ResultsQueries(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    /** Jobs, most recently updated first; {@code state} filters when present. */
    public List<JobRecord> jobs(Optional<String> state, int limit) throws SQLException {
        return db.read(c -> {
            String where = state.isPresent() ? " WHERE state = ?" : "";
            try (PreparedStatement s = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM jobs" + where
                    + " ORDER BY updated_at DESC, job_id LIMIT ?")) {
                int i = 1;
                if (state.isPresent()) s.setString(i++, state.get());
                s.setInt(i, limit);
                return jobRows(s);
            }
        });
    }

    /** Succeeded jobs (those with a summary), filtered by model and task when given. */
    public List<JobRecord> succeeded(Optional<String> model, Optional<String> task) throws SQLException {
        return db.read(c -> {
            StringBuilder sql = new StringBuilder("SELECT " + JOB_COLUMNS + " FROM jobs WHERE summary IS NOT NULL");
            if (model.isPresent()) sql.append(" AND model = ?");
            if (task.isPresent()) sql.append(" AND task = ?");
            try (PreparedStatement s = c.prepareStatement(sql.append(" ORDER BY job_id").toString())) {
                int i = 1;
                if (model.isPresent()) s.setString(i++, model.get());
                if (task.isPresent()) s.setString(i, task.get());
                return jobRows(s);
            }
        });
    }

    public Optional<JobRecord> job(String id) throws SQLException {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM jobs WHERE job_id = ?")) {
                s.setString(1, id);
                return jobRows(s).stream().findFirst();
            }
        });
    }

    /** The job's decided rounds in order, each with its candidates by layer. */
    public List<RoundResult> rounds(String jobId) throws SQLException {
        return db.read(c -> {
            Map<Integer, List<CandidateScore>> candidates = new LinkedHashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT round, layer, accuracy, mean_margin, examples, dropped "
                    + "FROM candidate_scores WHERE job_id = ? ORDER BY round, layer")) {
                s.setString(1, jobId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        candidates.computeIfAbsent(r.getInt(1), k -> new ArrayList<>()).add(new CandidateScore(r.getInt(2),
                                r.getDouble(3), nullableDouble(r, 4), r.getInt(5), r.getBoolean(6)));
                    }
                }
            }
            List<RoundResult> rounds = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT round, removed_before, winner, accepted FROM rounds "
                    + "WHERE job_id = ? ORDER BY round")) {
                s.setString(1, jobId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        int round = r.getInt(1);
                        rounds.add(new RoundResult(round, ints(r.getString(2)), candidates.getOrDefault(round, List.of()),
                                r.getInt(3), r.getBoolean(4)));
                    }
                }
            }
            return rounds;
        });
    }

    public List<WorkerUnits> workers(String jobId) throws SQLException {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT worker_id, COUNT(*), "
                    + "SUM(CASE WHEN error IS NULL THEN 0 ELSE 1 END), SUM(examples), SUM(correct), SUM(elapsed_ms) "
                    + "FROM unit_results WHERE job_id = ? GROUP BY worker_id ORDER BY worker_id")) {
                s.setString(1, jobId);
                List<WorkerUnits> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new WorkerUnits(r.getString(1), r.getInt(2), r.getInt(3), r.getLong(4), r.getLong(5),
                                r.getLong(6)));
                    }
                }
                return out;
            }
        });
    }

    public List<SelectionEvent> selections(String jobId) throws SQLException {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT deployed, model, task, num_layers, removed_layers, "
                    + "accuracy, selected_at FROM selections WHERE job_id = ? ORDER BY selected_at, deployed")) {
                s.setString(1, jobId);
                List<SelectionEvent> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new SelectionEvent(SelectionEvent.SCHEMA_VERSION, jobId, r.getString(2), r.getInt(4),
                                r.getString(3), json.convertValue(r.getString(1), SelectionEvent.Deployed.class),
                                ints(r.getString(5)), r.getDouble(6), instant(r, 7)));
                    }
                }
                return out;
            }
        });
    }

    private static List<JobRecord> jobRows(PreparedStatement s) throws SQLException {
        List<JobRecord> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                Integer numLayers = r.getObject(9) == null ? null : r.getInt(9);
                out.add(new JobRecord(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getInt(5),
                        r.getString(6), r.getLong(7), r.getLong(8), numLayers, nullableDouble(r, 10), r.getString(11),
                        instant(r, 12), instant(r, 13), r.getString(14), r.getString(15)));
            }
        }
        return out;
    }

    private List<Integer> ints(String jsonArray) {
        try {
            return List.of(json.readValue(jsonArray, Integer[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored layer list is not a JSON array of integers: " + jsonArray, e);
        }
    }

    private static Double nullableDouble(ResultSet r, int column) throws SQLException {
        double v = r.getDouble(column);
        return r.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet r, int column) throws SQLException {
        OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
