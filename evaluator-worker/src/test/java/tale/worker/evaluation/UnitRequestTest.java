package tale.worker.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tale.core.InputException;
import tale.core.search.Objective;
import tale.core.search.ScoreRequest;
import tale.core.search.SearchInputs;
import tale.core.task.Split;
import tale.messages.JobSpec;
import tale.messages.WorkUnit;
import tale.service.JobSearch;

/**
 * A job's values become the inputs `tale search` builds from the same options (service-support's JobSearch, as the
 * worker uses it); a unit becomes its core request.
 */
class UnitRequestTest {

    static JobSpec spec(String task, Long seed, String fractions, String splitRows, Integer shots, String scoring,
                        Integer limit, Integer maxNewTokens, String objective) {
        return new JobSpec("tiny", task, null, "rows.jsonl", seed, fractions, splitRows, shots, scoring, limit,
                maxNewTokens, null, null, objective, null, null, null, null, null, null);
    }

    @Test
    void absentValuesTakeTaleSearchsDefaults() {
        Path data = Path.of("/cache/rows.jsonl");
        SearchInputs in = JobSearch.inputs(spec("boolq", null, null, null, null, null, null, null, null), data);
        // tale search --task boolq --data /cache/rows.jsonl: --seed 0, --fractions 0.5,0.25,0.25, --shots 0,
        // --scoring generate, no --split-rows, --limit, --demos or --max-new-tokens.
        assertEquals(new SearchInputs("boolq", data, 0, "0.5,0.25,0.25", null, 0, null, "generate", null, null), in);
        assertEquals(Objective.ACCURACY, JobSearch.objective(spec("boolq", null, null, null, null, null, null, null, null)));
    }

    @Test
    void givenValuesAreKept() {
        Path data = Path.of("/cache/rows.jsonl");
        SearchInputs in = JobSearch.inputs(spec("mc", 7L, "0.6,0.2,0.2", "10,5", 3, "margin", 40, 12, "margin"), data);
        assertEquals(new SearchInputs("mc", data, 7, "0.6,0.2,0.2", "10,5", 3, null, "margin", 40, 12), in);
        assertEquals(Objective.MARGIN, JobSearch.objective(spec("mc", null, null, null, null, null, null, null, "margin")));
        assertThrows(InputException.class, () -> JobSearch.objective(spec("mc", null, null, null, null, null, null, null, "speed")));
    }

    @Test
    void aUnitIsTheCoreRequestWithItsId() {
        WorkUnit unit = WorkUnit.of("job-1", "search/r2/0-8", 2, spec("mc", null, null, null, null, null, null, null, null),
                "search", 2, List.of(1), List.of(-1, 0, 2, 3), 0, 8);
        assertEquals(new ScoreRequest("search/r2/0-8", Split.SEARCH, 2, List.of(1), List.of(-1, 0, 2, 3), 0, 8),
                UnitRequest.of(unit));
        WorkUnit badSplit = WorkUnit.of("job-1", "u", 1, unit.spec(), "train", 0, List.of(), List.of(-1), 0, 1);
        InputException e = assertThrows(InputException.class, () -> UnitRequest.of(badSplit));
        assertTrue(e.getMessage().contains("unknown split \"train\""), e.getMessage());
    }
}
