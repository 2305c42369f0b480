package tale.core.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tale.core.scoring.ExampleResult;
import tale.core.task.Split;

/**
 * A hand-made score table standing in for a model: each configuration (removal set) answers {@code count}
 * examples out of every 100 correctly. Example i is correct when (37 i mod 100) < count, so correct sets are
 * nested (a less accurate configuration is right on a subset of the examples) and spread evenly over the split.
 */
final class ScoreTable implements CandidateEvaluator {

    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, Double> margins = new HashMap<>();
    private final Map<String, java.util.function.IntPredicate> patterns = new HashMap<>();
    private final int fallback;
    final List<ScoreRequest> seen = new ArrayList<>();

    ScoreTable(int fallbackCount) {
        this.fallback = fallbackCount;
    }

    /** Correct answers per 100 examples of configuration {@code removed} ("3,5", "" for the full model). */
    ScoreTable set(String removed, int count) {
        counts.put(removed, count);
        return this;
    }

    /** The same, for one split only (others fall back to the search split's value). */
    ScoreTable set(Split split, String removed, int count) {
        counts.put(split + ":" + removed, count);
        return this;
    }

    /** A constant margin for every example of a configuration (default: count / 100). */
    ScoreTable margin(String removed, double margin) {
        margins.put(removed, margin);
        return this;
    }

    /** Configuration {@code removed} answers example i correctly exactly when {@code correct} holds. */
    ScoreTable pattern(String removed, java.util.function.IntPredicate correct) {
        patterns.put(removed, correct);
        return this;
    }

    int count(Split split, String key) {
        return counts.getOrDefault(split + ":" + key, counts.getOrDefault(key, fallback));
    }

    @Override
    public ScoreResult evaluate(ScoreRequest request) {
        seen.add(request);
        Map<Integer, List<ExampleResult>> out = new LinkedHashMap<>();
        for (int c : request.candidates()) {
            TreeSet<Integer> removed = new TreeSet<>(request.removed());
            if (c != ScoreRequest.AS_IS) removed.add(c);
            String key = SearchState.key(List.copyOf(removed));
            int count = count(request.split(), key);
            double margin = margins.getOrDefault(key, count / 100.0);
            List<ExampleResult> rs = new ArrayList<>();
            for (int i = request.from(); i < request.to(); i++) {
                boolean correct = patterns.containsKey(key) ? patterns.get(key).test(i) : (37 * i) % 100 < count;
                rs.add(new ExampleResult(1000 + i, correct ? "A" : "B", "A", correct, margin, false, null, null));
            }
            out.put(c, rs);
        }
        return new ScoreResult(request.id(), out);
    }
}
