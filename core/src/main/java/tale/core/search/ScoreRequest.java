package tale.core.search;

import java.util.List;
import tale.core.task.Split;

/**
 * Work the search needs done: score each candidate on the examples at positions [from, to) of a split.
 * Candidate {@code l} is the configuration {@code removed} plus layer {@code l}; {@link #AS_IS} is the
 * configuration {@code removed} itself. Requests are plain data so that they can travel to remote evaluators;
 * ids are deterministic, so a repeated or late answer is recognised.
 *
 * @param id         unique within a search, e.g. {@code search/r3/0-200}
 * @param split      which part of the task file
 * @param round      the search round (0 for the baseline and for re-scoring)
 * @param removed    layers already removed, ascending, 0-indexed
 * @param candidates layers to try removing in addition (ascending), or {@link #AS_IS}
 * @param from       first example position in the split (inclusive)
 * @param to         last example position in the split (exclusive)
 */
public record ScoreRequest(String id, Split split, int round, List<Integer> removed, List<Integer> candidates,
                           int from, int to) {

    /** The candidate that removes nothing more: the configuration {@code removed} as it is. */
    public static final int AS_IS = -1;

    public ScoreRequest {
        removed = List.copyOf(removed);
        candidates = List.copyOf(candidates);
        if (from < 0 || to <= from) throw new IllegalArgumentException("empty example range " + from + "-" + to);
        if (candidates.isEmpty()) throw new IllegalArgumentException("request " + id + " has no candidates");
    }

    public int size() {
        return to - from;
    }
}
