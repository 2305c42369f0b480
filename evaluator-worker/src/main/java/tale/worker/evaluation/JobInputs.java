package tale.worker.evaluation;

import java.nio.file.Path;
import tale.core.search.Objective;
import tale.core.search.ScoreRequest;
import tale.core.search.SearchInputs;
import tale.core.task.Split;
import tale.messages.JobSpec;
import tale.messages.WorkUnit;

/**
 * A job's values as core's search inputs, with {@code tale search}'s defaults for what the spec leaves out
 * (split seed 0, default fractions, no demonstrations, generate scoring, the task's decoding budget), so that a
 * worker scores exactly the prompts {@code tale search} scores.
 */
public final class JobInputs {

    private JobInputs() { }

    /** The spec's inputs, reading the task rows from {@code data} (the fetched dataset or the named file). */
    public static SearchInputs of(JobSpec spec, Path data) {
        return new SearchInputs(spec.task(), data, spec.splitSeed() == null ? 0 : spec.splitSeed(), spec.fractions(),
                spec.splitRows(), spec.shots() == null ? 0 : spec.shots(), null, spec.scoring(), spec.limit(),
                spec.maxNewTokens());
    }

    /** The objective the search ranks by (it decides which scorings are allowed). */
    public static Objective objective(JobSpec spec) {
        return spec.objective() == null || spec.objective().isBlank() ? Objective.ACCURACY : Objective.parse(spec.objective());
    }

    /** The core request a unit stands for: its id is the unit id. */
    public static ScoreRequest request(WorkUnit unit) {
        return new ScoreRequest(unit.unitId(), Split.parse(unit.split()), unit.round(), unit.removed(),
                unit.candidates(), unit.from(), unit.to());
    }
}
