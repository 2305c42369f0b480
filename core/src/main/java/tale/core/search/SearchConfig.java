package tale.core.search;

import java.util.List;
import java.util.TreeSet;
import tale.core.InputException;

/**
 * Everything that decides a search's course, apart from the scores themselves.
 *
 * @param numLayers      decoder layers of the model
 * @param epsilon        absolute accuracy drop allowed: the floor is baseline accuracy - epsilon
 * @param maxRemoved     the search stops once this many layers are removed in total (initial ones included)
 * @param objective      how candidates are ranked (acceptance is always by accuracy)
 * @param initialRemoved layers removed before the first round, ascending
 * @param searchSize     examples in the search split
 * @param selectSize     examples in the select split (0: none)
 * @param testSize       examples in the held-out test split (0: no test re-scoring)
 * @param selectOnSelect choose Best and BSBA by their accuracy on the select split instead of the search split
 * @param racing         whether and how rounds race
 * @param shardSize      most examples per score request, so remote evaluators can share a round (0: no limit)
 */
public record SearchConfig(int numLayers, double epsilon, int maxRemoved, Objective objective,
                           List<Integer> initialRemoved, int searchSize, int selectSize, int testSize,
                           boolean selectOnSelect, Racing racing, int shardSize) {

    public static final double DEFAULT_EPSILON = 0.08;

    public SearchConfig {
        initialRemoved = List.copyOf(initialRemoved);
        if (numLayers < 1) throw new InputException("the model must have at least one layer, got " + numLayers);
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new InputException("--epsilon must be a finite number >= 0, got " + epsilon);
        }
        if (maxRemoved < 0 || maxRemoved > numLayers) {
            throw new InputException("--max-removed must lie in 0.." + numLayers + " (the model's layers), got " + maxRemoved);
        }
        if (new TreeSet<>(initialRemoved).size() != initialRemoved.size()) {
            throw new InputException("the initial removal set " + initialRemoved + " names a layer twice");
        }
        for (int l : initialRemoved) {
            if (l < 0 || l >= numLayers) {
                throw new InputException("initial removal: layer " + l + " is out of range 0-" + (numLayers - 1));
            }
        }
        initialRemoved = List.copyOf(new TreeSet<>(initialRemoved));
        if (searchSize < 1) throw new InputException("the search split is empty");
        if (selectSize < 0 || testSize < 0) throw new InputException("split sizes must not be negative");
        if (selectOnSelect && selectSize == 0) throw new InputException("--select-on select needs a non-empty select split");
        if (shardSize < 0) throw new InputException("--shard-size must not be negative, got " + shardSize);
        if (objective == null || racing == null) throw new IllegalArgumentException("objective and racing are required");
    }

    /**
     * Whether Best and BSBA are chosen on the select split: {@code search} (or null/blank: the default) or
     * {@code select}; {@code option} names the setting in the error, e.g. {@code --select-on}.
     */
    public static boolean selectsOnSelect(String selectOn, String option) {
        if (selectOn == null || selectOn.isBlank()) return false;
        return switch (selectOn.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "search" -> false;
            case "select" -> true;
            default -> throw new InputException(option + " must be search or select, got \"" + selectOn + "\"");
        };
    }

    /** The paper's search: accuracy, epsilon 0.08, no limit on removals, no racing. */
    public static SearchConfig defaults(int numLayers, int searchSize, int selectSize, int testSize) {
        return new SearchConfig(numLayers, DEFAULT_EPSILON, numLayers, Objective.ACCURACY, List.of(), searchSize,
                selectSize, testSize, false, Racing.OFF, 0);
    }

    public SearchConfig withEpsilon(double e) {
        return new SearchConfig(numLayers, e, maxRemoved, objective, initialRemoved, searchSize, selectSize, testSize,
                selectOnSelect, racing, shardSize);
    }

    public SearchConfig withMaxRemoved(int k) {
        return new SearchConfig(numLayers, epsilon, k, objective, initialRemoved, searchSize, selectSize, testSize,
                selectOnSelect, racing, shardSize);
    }

    public SearchConfig withObjective(Objective o) {
        return new SearchConfig(numLayers, epsilon, maxRemoved, o, initialRemoved, searchSize, selectSize, testSize,
                selectOnSelect, racing, shardSize);
    }

    public SearchConfig withInitialRemoved(List<Integer> layers) {
        return new SearchConfig(numLayers, epsilon, maxRemoved, objective, layers, searchSize, selectSize, testSize,
                selectOnSelect, racing, shardSize);
    }

    public SearchConfig withSelectOnSelect(boolean b) {
        return new SearchConfig(numLayers, epsilon, maxRemoved, objective, initialRemoved, searchSize, selectSize,
                testSize, b, racing, shardSize);
    }

    public SearchConfig withRacing(Racing r) {
        return new SearchConfig(numLayers, epsilon, maxRemoved, objective, initialRemoved, searchSize, selectSize,
                testSize, selectOnSelect, r, shardSize);
    }

    public SearchConfig withShardSize(int n) {
        return new SearchConfig(numLayers, epsilon, maxRemoved, objective, initialRemoved, searchSize, selectSize,
                testSize, selectOnSelect, racing, n);
    }
}
