package tale.worker.evaluation;

import tale.core.search.ScoreRequest;
import tale.core.task.Split;
import tale.messages.WorkUnit;

/** The core request a work unit stands for (the orchestrator made the unit from it; the ids are equal). */
public final class UnitRequest {

    private UnitRequest() { }

    public static ScoreRequest of(WorkUnit unit) {
        return new ScoreRequest(unit.unitId(), Split.parse(unit.split()), unit.round(), unit.removed(),
                unit.candidates(), unit.from(), unit.to());
    }
}
