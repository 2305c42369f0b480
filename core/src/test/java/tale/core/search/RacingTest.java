package tale.core.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tale.core.task.Split;

/** Racing's statistic and its effect on a round. */
class RacingTest {

    @Test
    void normalQuantiles() {
        assertEquals(1.959964, Normal.quantile(0.975), 1e-6);
        assertEquals(-1.644854, Normal.quantile(0.05), 1e-6);
        assertEquals(3.719016, Normal.quantile(0.9999), 1e-6);
        assertEquals(0, Normal.quantile(0.5), 1e-12);
    }

    @Test
    void checkpointsDoubleUntilTheSplitEnds() {
        assertArrayEquals(new int[] {50, 100, 200}, Racing.on(50, 0.95).checkpoints(400));
        assertArrayEquals(new int[] {50, 100, 200}, Racing.on(50, 0.95).checkpoints(201));
        assertArrayEquals(new int[0], Racing.on(50, 0.95).checkpoints(50));
        assertArrayEquals(new int[0], Racing.OFF.checkpoints(400));
    }

    @Test
    void zIsBonferroniCorrected() {
        Racing r = Racing.on(50, 0.95);
        assertEquals(Normal.quantile(0.95), r.z(1, 1), 1e-12);
        assertEquals(Normal.quantile(1 - 0.05 / 30), r.z(10, 3), 1e-12);
    }

    @Test
    void behindNeedsAPositiveLowerBound() {
        double[] leader = new double[40], other = new double[40];
        for (int i = 0; i < 40; i++) {
            leader[i] = 1;
            other[i] = i % 2;              // leader ahead on half the examples: mean 0.5, sd ~0.51
        }
        assertTrue(Racing.behind(leader, other, 40, 3));
        assertFalse(Racing.behind(leader, other, 4, 3), "too few examples for the bound");
        assertFalse(Racing.behind(leader, leader, 40, 3), "equal candidates are never behind");
        for (int i = 0; i < 40; i++) other[i] = i % 10 == 0 ? 0 : 1; // ahead on 4 of 40: not clearly
        assertFalse(Racing.behind(leader, other, 40, 2.5));
    }

    @Test
    void aRaceDropsClearlyBehindCandidatesAndKeepsTheExactWinner() {
        // 8 layers, 400 examples; layer 5 is best (90), layer 2 close (88), the rest far behind (30..40).
        ScoreTable t = new ScoreTable(30).set("", 90).set("5", 90).set("2", 88).set("0", 40).set("7", 35)
                .set("2,5", 85).set("5,7", 20);
        SearchConfig exactConfig = SearchConfig.defaults(8, 400, 0, 0).withMaxRemoved(2);
        SearchResult exact = SearchRunner.run(exactConfig, t, SearchStateTest.QUIET);
        t.seen.clear();
        SearchResult raced = SearchRunner.run(exactConfig.withRacing(Racing.on(50, 0.95)), t, SearchStateTest.QUIET);
        assertEquals(exact.chain(), raced.chain(), "same winners, same exact accuracies");

        SearchState.Round round1 = raced.rounds().get(0);
        assertEquals(5, round1.winner());
        assertFalse(round1.candidate(5).dropped());
        assertFalse(round1.candidate(2).dropped(), "88 vs 90 cannot be told apart on 400 examples");
        assertTrue(round1.candidate(0).dropped());
        assertEquals(50, round1.candidate(0).measure().examples(), "dropped after the first shard");
        assertEquals(400, round1.candidate(5).measure().examples());

        List<ScoreRequest> round1Requests = t.seen.stream().filter(q -> q.round() == 1).toList();
        assertEquals(List.of(0, 50), round1Requests.stream().map(ScoreRequest::from).toList().subList(0, 2));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), round1Requests.get(0).candidates());
        assertEquals(List.of(2, 5), round1Requests.get(1).candidates());
        long exampleCandidates = t.seen.stream().filter(q -> q.split() == Split.SEARCH && q.round() > 0)
                .mapToLong(q -> (long) q.size() * q.candidates().size()).sum();
        assertTrue(exampleCandidates < 0.4 * (400 * 8 + 400 * 7), "racing scored " + exampleCandidates);
    }

    @Test
    void aLoneSurvivorFinishesTheSplitInOneStep() {
        ScoreTable t = new ScoreTable(10).set("", 90).set("1", 90);
        SearchConfig c = SearchConfig.defaults(4, 400, 0, 0).withMaxRemoved(1).withRacing(Racing.on(50, 0.95));
        SearchRunner.run(c, t, SearchStateTest.QUIET);
        List<ScoreRequest> round1 = t.seen.stream().filter(q -> q.round() == 1).toList();
        assertEquals(2, round1.size());
        assertEquals(List.of(1), round1.get(1).candidates());
        assertEquals(50, round1.get(1).from());
        assertEquals(400, round1.get(1).to());
    }

    @Test
    void agreementComparesEveryRacedRoundWithTheExactWinnerFromTheSameState() {
        // Layer 0 leads on the first shard (right on all of it) but is worse overall (0.5625) than layer 1 (0.70),
        // which the first check drops: the raced search picks 0, the exact one 1; afterwards they diverge.
        ScoreTable t = new ScoreTable(10).set("", 80).pattern("0", i -> i < 50 || i % 2 == 0).pattern("1", i -> i % 10 < 7)
                .set("0,2", 60).set("0,1", 50).set("1,3", 75);
        SearchConfig c = SearchConfig.defaults(4, 400, 0, 0).withMaxRemoved(2).withEpsilon(0.5);
        SearchResult exact = SearchRunner.run(c, t, SearchStateTest.QUIET);
        SearchResult raced = SearchRunner.run(c.withRacing(Racing.on(50, 0.95)), t, SearchStateTest.QUIET);
        assertEquals(1, exact.rounds().get(0).winner());
        assertEquals(0, raced.rounds().get(0).winner());
        assertTrue(raced.rounds().get(0).candidate(1).dropped());
        List<RacingAgreement.RoundAgreement> a = RacingAgreement.compare(raced, exact, t);
        assertEquals(2, a.size());
        assertFalse(a.get(0).same());
        assertEquals(List.of(0), a.get(1).removedBefore());
        assertEquals(2, a.get(1).exactWinner(), "computed by an exact round from {0}");
        assertTrue(a.get(1).same());
    }
}
