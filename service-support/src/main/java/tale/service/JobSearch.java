package tale.service;

import java.nio.file.Path;
import java.util.List;
import tale.core.InputException;
import tale.core.search.Objective;
import tale.core.search.Racing;
import tale.core.search.SearchConfig;
import tale.core.search.SearchInputs;
import tale.messages.JobSpec;

/**
 * A job's spec as core's search inputs and configuration, with {@code tale search}'s defaults for what the spec
 * leaves out (split seed 0, default fractions, no demonstrations, generate scoring, the task's decoding budget,
 * epsilon 0.08, no limit on removals, accuracy, Best/BSBA chosen on the search split, no racing), so that a job
 * searches exactly as {@code tale search} does on the same values.
 */
public final class JobSearch {

    private JobSearch() { }

    /** The spec's inputs, reading the task rows from {@code data} (an uploaded dataset or the named file). */
    public static SearchInputs inputs(JobSpec spec, Path data) {
        return new SearchInputs(spec.task(), data, spec.splitSeed() == null ? 0 : spec.splitSeed(), spec.fractions(),
                spec.splitRows(), spec.shots() == null ? 0 : spec.shots(), null, spec.scoring(), spec.limit(),
                spec.maxNewTokens());
    }

    /** The objective the search ranks by (it decides which scorings are allowed). */
    public static Objective objective(JobSpec spec) {
        return blank(spec.objective()) ? Objective.ACCURACY : Objective.parse(spec.objective());
    }

    /** Whether Best and BSBA are chosen on the select split ({@code selectOn: select}). */
    public static boolean selectOnSelect(JobSpec spec) {
        return SearchConfig.selectsOnSelect(spec.selectOn(), "selectOn");
    }

    public static Racing racing(JobSpec spec) {
        if (!Boolean.TRUE.equals(spec.racing())) return Racing.OFF;
        return Racing.on(spec.raceShard() == null ? Racing.DEFAULT_FIRST_SHARD : spec.raceShard(),
                spec.raceConfidence() == null ? Racing.DEFAULT_CONFIDENCE : spec.raceConfidence());
    }

    /**
     * The search configuration {@code tale search} builds for these values on a model of {@code numLayers} layers
     * and the loaded splits, with requests of at most {@code shardSize} examples (0: no limit).
     */
    public static SearchConfig config(JobSpec spec, int numLayers, SearchInputs.Data data, int shardSize) {
        List<Integer> initial = spec.initialRemoved() == null ? List.of() : spec.initialRemoved();
        return SearchConfig.defaults(numLayers, data.search().size(), data.select().size(), data.test().size())
                .withEpsilon(spec.epsilon() == null ? SearchConfig.DEFAULT_EPSILON : spec.epsilon())
                .withMaxRemoved(spec.maxRemoved() == null ? numLayers : spec.maxRemoved())
                .withObjective(objective(spec))
                .withInitialRemoved(initial)
                .withSelectOnSelect(selectOnSelect(spec))
                .withRacing(racing(spec))
                .withShardSize(shardSize);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
