package tale.core.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tale.core.InputException;
import tale.core.scoring.ExampleResult;
import tale.core.search.SearchState.StopReason;
import tale.core.task.Split;

/** The search state machine on hand-made score tables (accuracies in examples correct out of 100). */
class SearchStateTest {

    static final SearchRunner.Listener QUIET = new SearchRunner.Listener() { };

    static SearchConfig config(int layers) {
        return SearchConfig.defaults(layers, 100, 0, 0);
    }

    static SearchResult run(SearchConfig config, ScoreTable table) {
        return SearchRunner.run(config, table, QUIET);
    }

    static List<List<Integer>> removedPerRound(SearchResult r) {
        return r.chain().stream().map(SearchResult.Reported::removed).toList();
    }

    @Test
    void tiesGoToTheLowestLayerIndex() {
        // Layers 1 and 3 tie for best in round 1; in round 2 layers 0 and 3 tie (given 1 is gone).
        ScoreTable t = new ScoreTable(50).set("", 80).set("1", 78).set("3", 78).set("0,1", 77).set("1,3", 77);
        SearchResult r = run(config(4).withMaxRemoved(2), t);
        assertEquals(1, r.rounds().get(0).winner());
        assertEquals(0, r.rounds().get(1).winner());
        assertEquals(List.of(0, 1), r.last().removed());
        assertEquals(StopReason.MAX_REMOVED, r.stopReason());
    }

    @Test
    void everyRemainingLayerIsACandidateFirstAndLastIncluded() {
        ScoreTable t = new ScoreTable(50).set("", 80).set("5", 79);
        SearchResult r = run(config(6), t);
        assertEquals(List.of(0, 1, 2, 3, 4, 5),
                r.rounds().get(0).candidates().stream().map(SearchState.Candidate::layer).toList());
        assertEquals(5, r.rounds().get(0).winner());
        assertEquals(List.of(0, 1, 2, 3, 4), r.rounds().get(1).candidates().stream().map(SearchState.Candidate::layer).toList());
    }

    @Test
    void theFloorIsBaselineMinusEpsilonAndIncludesItsEdge() {
        // Baseline 0.80, epsilon 0.08: 0.72 is accepted, 0.71 stops the search.
        ScoreTable t = new ScoreTable(10).set("", 80).set("2", 72).set("0,2", 71);
        SearchResult r = run(config(4), t);
        assertEquals(0.72, r.floor(), 1e-12);
        assertEquals(2, r.rounds().size());
        assertTrue(r.rounds().get(0).accepted());
        assertFalse(r.rounds().get(1).accepted());
        assertEquals(0, r.rounds().get(1).winner());
        assertEquals(StopReason.BELOW_FLOOR, r.stopReason());
        assertEquals(List.of(2), r.last().removed());
        assertEquals(3, r.last().layersKept());
        assertEquals(4.0 / 3, r.last().estimatedSpeedup(), 1e-12);
    }

    @Test
    void theFloorStaysAtTheBaselineNotAtThePreviousRound() {
        // Each round loses 0.03: the floor (0.72) is reached after two rounds even though every step is small.
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 77).set("0,1", 74).set("0,1,2", 71);
        SearchResult r = run(config(5), t);
        assertEquals(List.of(0, 1), r.last().removed());
        assertEquals(StopReason.BELOW_FLOOR, r.stopReason());
    }

    @Test
    void epsilonZeroAcceptsOnlyNoLoss() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("3", 80).set("1,3", 79);
        SearchResult r = run(config(4).withEpsilon(0), t);
        assertEquals(List.of(3), r.last().removed());
    }

    @Test
    void maxRemovedStopsTheSearch() {
        ScoreTable t = new ScoreTable(80);
        SearchResult r = run(config(6).withMaxRemoved(3), t);
        assertEquals(3, r.rounds().size());
        assertEquals(List.of(0, 1, 2), r.last().removed());
        assertEquals(StopReason.MAX_REMOVED, r.stopReason());
        SearchResult none = run(config(6).withMaxRemoved(0), new ScoreTable(80));
        assertEquals(0, none.rounds().size());
        assertEquals(List.of(), none.last().removed());
    }

    @Test
    void bestBsbaAndFinal() {
        // Chain: baseline 80, r1 85, r2 80, r3 78, r4 74; round 5's best is 70 < floor 72.
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 85).set("0,1", 80).set("0,1,2", 78)
                .set("0,1,2,3", 74).set("0,1,2,3,4", 70);
        SearchResult r = run(config(8), t);
        assertEquals(List.of(0), r.best().removed());
        assertEquals(0.85, r.best().search().accuracy(), 1e-12);
        assertEquals(List.of(0, 1), r.bsba().removed());
        assertEquals(List.of(0, 1, 2, 3), r.last().removed());
        assertEquals(List.of(), r.baseline().removed());
        assertEquals(4, r.last().round());
        assertEquals(5, r.rounds().size());
    }

    @Test
    void bestIsEarliestOnTiesAndMayBeTheBaseline() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 80).set("0,1", 76);
        SearchResult r = run(config(3), t);
        assertEquals(List.of(), r.best().removed());
        assertEquals(List.of(0), r.bsba().removed());
        assertEquals(List.of(0, 1), r.last().removed());
    }

    @Test
    void bsbaIsTheBaselineWhenNothingMatchesIt() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 75);
        SearchResult r = run(config(3), t);
        assertEquals(List.of(), r.bsba().removed());
        assertEquals(List.of(), r.best().removed());
        assertEquals(List.of(0), r.last().removed());
    }

    @Test
    void removingEveryLayer() {
        ScoreTable t = new ScoreTable(80);
        SearchResult r = run(config(3), t);
        assertEquals(List.of(0, 1, 2), r.last().removed());
        assertEquals(0, r.last().layersKept());
        assertNull(r.last().estimatedSpeedup());
        assertEquals(StopReason.NO_LAYER_LEFT, r.stopReason());
        assertEquals(List.of(2), r.rounds().get(2).candidates().stream().map(SearchState.Candidate::layer).toList());
    }

    @Test
    void anInitialRemovalSetStartsTheFirstRound() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("1,4", 78).set("1,2,4", 75).set("1,2,3,4", 70);
        SearchResult r = run(config(6).withInitialRemoved(List.of(4, 1)), t);
        assertEquals(List.of(0, 2, 3, 5), r.rounds().get(0).candidates().stream().map(SearchState.Candidate::layer).toList());
        assertEquals(0.72, r.floor(), 1e-12, "the floor is relative to the full model");
        assertEquals(List.of(List.of(), List.of(1, 4), List.of(1, 2, 4)), removedPerRound(r));
        assertEquals(List.of(1, 2, 4), r.last().removed());
        assertEquals(List.of(), r.bsba().removed());
        SearchResult capped = run(config(6).withInitialRemoved(List.of(1, 4)).withMaxRemoved(2), t);
        assertEquals(0, capped.rounds().size());
        assertEquals(List.of(1, 4), capped.last().removed());
    }

    @Test
    void marginObjectiveRanksByMarginAndAcceptsByAccuracy() {
        // Layer 2 has the best margin but falls below the floor: the search stops, though layer 0 would pass.
        ScoreTable t = new ScoreTable(10).set("", 80).margin("", 1.0).set("0", 79).margin("0", 0.5)
                .set("1", 60).margin("1", 0.2).set("2", 70).margin("2", 0.9);
        SearchResult r = run(config(3).withObjective(Objective.MARGIN), t);
        assertEquals(2, r.rounds().get(0).winner());
        assertFalse(r.rounds().get(0).accepted());
        assertEquals(List.of(), r.last().removed());
        assertEquals(0.9, r.trajectory().stream().filter(s -> s.layer() == 2).findFirst().orElseThrow().score(), 1e-12);

        ScoreTable ok = new ScoreTable(10).set("", 80).set("0", 79).margin("0", 0.5).set("1", 60).margin("1", 0.2)
                .set("2", 73).margin("2", 0.9).set("0,2", 10).set("1,2", 10);
        assertEquals(List.of(2), run(config(3).withObjective(Objective.MARGIN), ok).last().removed());
    }

    @Test
    void theTrajectoryHoldsEveryCandidateOfEveryRound() {
        ScoreTable t = new ScoreTable(70).set("", 80).set("1", 75);
        SearchResult r = run(config(3), t);
        List<SearchResult.Step> steps = r.trajectory();
        assertEquals(3 + 2, steps.size()); // round 1: 3 candidates (1 wins), round 2: 2 candidates, both 0.70
        assertEquals(new SearchResult.Step(1, 1, 0.75, true), steps.get(1));
        assertEquals(new SearchResult.Step(2, 0, 0.70, false), steps.get(3));
        assertEquals(1, steps.stream().filter(SearchResult.Step::accepted).count());
    }

    @Test
    void trajectoryDifferencesFindEveryDeparture() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 85).set("0,1", 76);
        SearchResult a = run(config(3), t);
        assertEquals(List.of(), a.trajectoryDifferences(run(config(3), t), 0));
        SearchResult otherWinner = run(config(3), new ScoreTable(10).set("", 80).set("1", 85).set("0,1", 76));
        assertTrue(a.trajectoryDifferences(otherWinner, 0).get(0).startsWith("round 1: winner 0 accepted against 1"));
        SearchResult shorter = run(config(3).withMaxRemoved(1), t);
        assertTrue(a.trajectoryDifferences(shorter, 0).contains("3 rounds against 1"));
        SearchResult oneMoreRight = run(config(3), new ScoreTable(10).set("", 80).set("0", 85).set("0,1", 76).set("0,2", 11));
        assertEquals(1, a.trajectoryDifferences(oneMoreRight, 0).size());
    }

    @Test
    void testSplitRescoresBaselineBestBsbaAndFinalOnce() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 85).set("0,1", 76)
                .set(Split.TEST, "", 60).set(Split.TEST, "0", 58).set(Split.TEST, "0,1", 50);
        SearchResult r = SearchRunner.run(SearchConfig.defaults(3, 100, 0, 100), t, QUIET);
        assertEquals(0.60, r.baseline().test().accuracy(), 1e-12);
        assertEquals(0.58, r.best().test().accuracy(), 1e-12);
        assertEquals(0.58, r.bsba().test().accuracy(), 1e-12);
        assertEquals(0.50, r.last().test().accuracy(), 1e-12);
        assertEquals(0.85, r.best().search().accuracy(), 1e-12);
        long testRequests = t.seen.stream().filter(q -> q.split() == Split.TEST).count();
        assertEquals(3, testRequests, "baseline, {0} (best and bsba) and {0,1}: each once");
    }

    @Test
    void selectSplitChoosesBestAndBsba() {
        // On search, {0} is best; on select the baseline is best and {0,1} the last at least as good.
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 85).set("0,1", 76)
                .set(Split.SELECT, "", 70).set(Split.SELECT, "0", 65).set(Split.SELECT, "0,1", 70);
        SearchConfig c = SearchConfig.defaults(3, 100, 100, 100).withSelectOnSelect(true);
        SearchResult r = SearchRunner.run(c, t, QUIET);
        assertEquals(List.of(), r.best().removed());
        assertEquals(List.of(0, 1), r.bsba().removed());
        assertEquals(List.of(0, 1), r.last().removed());
        assertEquals(0.65, r.chain().get(1).select().accuracy(), 1e-12);
        assertEquals(3, t.seen.stream().filter(q -> q.split() == Split.SELECT).count());
        SearchResult plain = SearchRunner.run(SearchConfig.defaults(3, 100, 100, 100), t, QUIET);
        assertEquals(List.of(0), plain.best().removed());
        assertNull(plain.best().select());
    }

    @Test
    void shardedRequestsAnsweredInAnyOrderGiveTheSameResult() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 85).set("0,1", 76).set("0,1,2", 70);
        SearchResult whole = run(config(4), t);
        SearchState s = SearchState.start(config(4).withShardSize(30));
        assertEquals(4, s.pendingRequests().size());
        while (!s.finished()) {
            List<ScoreRequest> reqs = new ArrayList<>(s.pendingRequests());
            Collections.reverse(reqs);
            for (ScoreRequest q : reqs) s = s.accept(t.evaluate(q));
        }
        assertEquals(whole.chain(), s.result().chain());
        assertEquals(whole.rounds(), s.result().rounds());
        assertEquals(whole.stopReason(), s.result().stopReason());
    }

    @Test
    void repeatedAndStaleAnswersAreIgnored() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 85);
        SearchState s = SearchState.start(config(3).withShardSize(50));
        ScoreRequest first = s.pendingRequests().get(0);
        ScoreResult answer = t.evaluate(first);
        SearchState once = s.accept(answer);
        assertSame(once, once.accept(answer));
        SearchState round = once.accept(t.evaluate(once.pendingRequests().get(0)));
        assertEquals(SearchState.Phase.ROUND, round.phase());
        assertSame(round, round.accept(answer), "an answer from an earlier step changes nothing");
    }

    @Test
    void answersThatDoNotMatchTheirRequestAreRejected() {
        ScoreTable t = new ScoreTable(80);
        SearchState s = SearchState.start(config(3));
        s = s.accept(t.evaluate(s.pendingRequests().get(0)));
        ScoreRequest q = s.pendingRequests().get(0);
        ScoreResult good = t.evaluate(q);
        ScoreResult missing = new ScoreResult(q.id(), Map.of(0, good.scores().get(0)));
        SearchState st = s;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> st.accept(missing)).getMessage()
                .contains("scores candidates [0]"));
        ScoreResult short1 = new ScoreResult(q.id(), Map.of(0, good.scores().get(0), 1, good.scores().get(1).subList(0, 99),
                2, good.scores().get(2)));
        assertThrows(IllegalArgumentException.class, () -> st.accept(short1));
        List<ExampleResult> shuffled = new ArrayList<>(good.scores().get(1));
        Collections.swap(shuffled, 0, 1);
        ScoreResult misaligned = new ScoreResult(q.id(), Map.of(0, good.scores().get(0), 1, shuffled, 2, good.scores().get(2)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> st.accept(misaligned)).getMessage()
                .contains("different examples"));
    }

    @Test
    void marginObjectiveRefusesResultsWithoutMargins() {
        ScoreTable t = new ScoreTable(80).margin("0", Double.NaN);
        SearchState s = SearchState.start(config(3).withObjective(Objective.MARGIN));
        SearchState st = s.accept(t.evaluate(s.pendingRequests().get(0)));
        ScoreRequest q = st.pendingRequests().get(0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> st.accept(t.evaluate(q))).getMessage()
                .contains("margin"));
    }

    @Test
    void theStateSurvivesJsonAtEveryStep() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 85).set("0,1", 76).set("0,1,2", 70);
        SearchConfig c = SearchConfig.defaults(4, 100, 100, 100).withSelectOnSelect(true).withShardSize(40)
                .withRacing(Racing.on(20, 0.95));
        SearchResult reference = SearchRunner.run(c, t, QUIET);
        SearchState s = SearchState.start(c);
        int restores = 0;
        while (!s.finished()) {
            s = s.accept(t.evaluate(s.pendingRequests().get(0)));
            s = json.readValue(json.writeValueAsString(s), SearchState.class);
            restores++;
        }
        assertTrue(restores > 10);
        assertEquals(json.writeValueAsString(reference), json.writeValueAsString(s.result()));
    }

    @Test
    void badSettingsAreInputErrors() {
        assertThrows(InputException.class, () -> config(4).withEpsilon(-0.1));
        assertThrows(InputException.class, () -> config(4).withEpsilon(Double.NaN));
        assertThrows(InputException.class, () -> config(4).withMaxRemoved(5));
        assertThrows(InputException.class, () -> config(4).withInitialRemoved(List.of(4)));
        assertThrows(InputException.class, () -> config(4).withInitialRemoved(List.of(1, 1)));
        assertThrows(InputException.class, () -> SearchConfig.defaults(4, 0, 0, 0));
        assertThrows(InputException.class, () -> config(4).withSelectOnSelect(true));
        assertThrows(InputException.class, () -> Racing.on(1, 0.95));
        assertThrows(InputException.class, () -> Racing.on(10, 1.0));
    }
}
