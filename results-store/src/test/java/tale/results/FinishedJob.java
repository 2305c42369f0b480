package tale.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tale.messages.ExampleScore;
import tale.messages.JobEvent;
import tale.messages.JobEvent.CandidateScore;
import tale.messages.JobEvent.RoundResult;
import tale.messages.JobSpec;
import tale.messages.SelectionEvent;
import tale.messages.UnitResult;

/**
 * The events of a finished search on an 8-layer model, as the orchestrator and the workers publish them: submitted,
 * progress, four rounds (three accepted), succeeded with a summary in summary.json's format (core/SEARCH.md), unit
 * results from two workers and the BSBA selection. Baseline 0.70, epsilon 0.08 (floor 0.62); Best removes [4]
 * (0.74), BSBA [2, 4] (0.71), Final [1, 2, 4] (0.64); round 4's winner (layer 5, 0.58) fell below the floor.
 */
public final class FinishedJob {

    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public static final int LAYERS = 8;
    public static final double FLOOR = 0.62;
    public static final double BASELINE = 0.70;
    public static final int SEARCH_EXAMPLES = 100;
    /** Per round: removed before, then (layer, accuracy) pairs, then the winner and whether it was accepted. */
    public static final List<RoundResult> ROUNDS = List.of(
            round(1, List.of(), new double[][] {{0, .31}, {1, .69}, {2, .72}, {3, .66}, {4, .74}, {5, .70}, {6, .61}, {7, .22}}, 4, true),
            round(2, List.of(4), new double[][] {{0, .28}, {1, .67}, {2, .71}, {3, .63}, {5, .69}, {6, .58}, {7, .20}}, 2, true),
            round(3, List.of(2, 4), new double[][] {{0, .25}, {1, .64}, {3, .60}, {5, .62}, {6, .55}, {7, .18}}, 1, true),
            round(4, List.of(1, 2, 4), new double[][] {{0, .21}, {3, .52}, {5, .58}, {6, .50}, {7, .15}}, 5, false));
    /** The chain: removed layers, search accuracy, test accuracy. */
    public static final List<Object[]> CHAIN = List.of(
            new Object[] {List.of(), 0.70, 0.675},
            new Object[] {List.of(4), 0.74, 0.70},
            new Object[] {List.of(2, 4), 0.71, 0.69},
            new Object[] {List.of(1, 2, 4), 0.64, 0.60});
    public static final List<String> WORKERS = List.of("worker-a", "worker-b");

    private FinishedJob() { }

    public static JobSpec spec() {
        return new JobSpec("tiny-llama", "boolq", null, "/data/boolq.jsonl", 0L, null, null, 0, "loglik", 200, null,
                0.08, null, "accuracy", null, null, false, null, null, "bsba");
    }

    /** The job's events in publishing order, one second apart. */
    public static List<JobEvent> jobEvents(String jobId, Instant start) {
        List<JobEvent> out = new ArrayList<>();
        Instant t = start;
        out.add(event(jobId, JobEvent.Type.SUBMITTED, t, spec(), "queued", 0, null, 0, 0, null, null, null, null, null));
        t = t.plusSeconds(1);
        out.add(event(jobId, JobEvent.Type.PROGRESS, t, null, "running", 0, "baseline", 50, 100, LAYERS, null, null, null, null));
        t = t.plusSeconds(1);
        out.add(event(jobId, JobEvent.Type.PROGRESS, t, null, "running", 0, "baseline", 100, 100, LAYERS, FLOOR, null, null, null));
        for (RoundResult r : ROUNDS) {
            t = t.plusSeconds(1);
            long total = (long) r.candidates().size() * SEARCH_EXAMPLES;
            out.add(event(jobId, JobEvent.Type.PROGRESS, t, null, "running", r.round(), "round", total / 2, total, LAYERS, FLOOR,
                    null, null, null));
            t = t.plusSeconds(1);
            out.add(event(jobId, JobEvent.Type.ROUND, t, null, "running", r.round(), "round", total, total, LAYERS, FLOOR, r,
                    null, null));
        }
        t = t.plusSeconds(1);
        out.add(event(jobId, JobEvent.Type.SUCCEEDED, t, null, "succeeded", ROUNDS.size(), null, 0, 0, LAYERS, FLOOR, null,
                summary(), null));
        return out;
    }

    /** Unit results: each round's candidates in two units of 50 examples, one per worker. */
    public static List<UnitResult> unitResults(String jobId) {
        List<UnitResult> out = new ArrayList<>();
        for (RoundResult r : ROUNDS) {
            for (int w = 0; w < WORKERS.size(); w++) {
                Map<Integer, List<ExampleScore>> scores = new LinkedHashMap<>();
                for (CandidateScore c : r.candidates()) {
                    List<ExampleScore> examples = new ArrayList<>();
                    for (int i = 0; i < SEARCH_EXAMPLES / 2; i++) {
                        int index = w * SEARCH_EXAMPLES / 2 + i;
                        boolean correct = index < Math.round(c.accuracy() * SEARCH_EXAMPLES);
                        examples.add(new ExampleScore(index, correct ? "yes" : "no", "yes", correct, null, false));
                    }
                    scores.put(c.layer(), examples);
                }
                out.add(UnitResult.scored(jobId, jobId + "-r" + r.round() + "-u" + w, 1, WORKERS.get(w), scores, 1000 + w));
            }
        }
        return out;
    }

    public static SelectionEvent selection(String jobId, Instant at) {
        return new SelectionEvent(SelectionEvent.SCHEMA_VERSION, jobId, "tiny-llama", LAYERS, "boolq",
                SelectionEvent.Deployed.BSBA, List.of(2, 4), 0.71, at);
    }

    /** summary.json of the search, as core's SearchReport writes it. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("schemaVersion", 1);
        s.put("run", Map.of("model", "tiny-llama", "task", "boolq", "scoring", "loglik"));
        s.put("search", Map.of("numLayers", LAYERS, "epsilon", 0.08, "objective", "accuracy",
                "splits", Map.of("search", SEARCH_EXAMPLES, "select", 0, "test", SEARCH_EXAMPLES)));
        s.put("floor", FLOOR);
        s.put("stopReason", "below_floor");
        List<Map<String, Object>> chain = new ArrayList<>();
        for (int i = 0; i < CHAIN.size(); i++) chain.add(configuration(i));
        s.put("baseline", chain.get(0));
        s.put("best", chain.get(1));
        s.put("bsba", chain.get(2));
        s.put("final", chain.get(3));
        s.put("chain", chain);
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (RoundResult r : ROUNDS) {
            Map<String, Object> o = JSON.convertValue(r, Map.class);
            for (Map<String, Object> c : (List<Map<String, Object>>) o.get("candidates")) {
                c.put("score", c.get("accuracy"));
                c.put("correct", (int) Math.round((double) c.get("accuracy") * SEARCH_EXAMPLES));
            }
            rounds.add(o);
        }
        s.put("rounds", rounds);
        s.put("cost", Map.of("layerForwards", 12345, "wallSeconds", 42.0));
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> configuration(int i) {
        List<Integer> removed = (List<Integer>) CHAIN.get(i)[0];
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("round", i);
        o.put("removed", removed);
        o.put("layersKept", LAYERS - removed.size());
        o.put("estimatedSpeedup", (double) LAYERS / (LAYERS - removed.size()));
        o.put("search", measure((double) CHAIN.get(i)[1]));
        o.put("select", null);
        o.put("test", measure((double) CHAIN.get(i)[2]));
        return o;
    }

    private static Map<String, Object> measure(double accuracy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("correct", (int) Math.round(accuracy * SEARCH_EXAMPLES));
        m.put("examples", SEARCH_EXAMPLES);
        m.put("meanMargin", null);
        return m;
    }

    private static RoundResult round(int round, List<Integer> removedBefore, double[][] scores, int winner, boolean accepted) {
        List<CandidateScore> candidates = new ArrayList<>();
        for (double[] s : scores) candidates.add(new CandidateScore((int) s[0], s[1], null, SEARCH_EXAMPLES, false));
        return new RoundResult(round, removedBefore, candidates, winner, accepted);
    }

    private static JobEvent event(String jobId, JobEvent.Type type, Instant t, JobSpec spec, String state, int round, String step,
                                  long done, long total, Integer numLayers, Double floor, RoundResult roundResult,
                                  Map<String, Object> summary, String error) {
        return new JobEvent(JobEvent.SCHEMA_VERSION, jobId, type, t, spec, state, round, step, done, total, numLayers, floor,
                roundResult, summary, error);
    }
}
