package tale.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tale.core.InputException;

class DemonstrationsTest {

    @Test
    void demonstrationsComeFromOutsideTheEvaluatedPart() {
        List<Example> rows = SplitPlanTest.rows(60);
        SplitPlan plan = SplitPlan.shuffled(5);
        Split[] parts = plan.assign(rows.size());
        Demonstrations demos = Demonstrations.fromOtherParts(rows, plan, 3, 11);
        for (Split split : List.of(Split.SEARCH, Split.SELECT, Split.TEST)) {
            for (Example e : plan.select(rows, split)) {
                List<Example> shown = demos.forExample(e);
                assertEquals(3, shown.size());
                assertEquals(3, new HashSet<>(shown).size(), "distinct demonstrations");
                for (Example d : shown) assertNotEquals(split, parts[d.index()], "row " + d.index() + " is in " + split);
            }
        }
    }

    @Test
    void drawDependsOnlyOnSeedAndRow() {
        List<Example> rows = SplitPlanTest.rows(60);
        SplitPlan plan = SplitPlan.shuffled(5);
        Demonstrations a = Demonstrations.fromOtherParts(rows, plan, 2, 11);
        Demonstrations b = Demonstrations.fromOtherParts(rows, plan, 2, 11);
        Set<List<Integer>> draws = new HashSet<>();
        for (Example e : rows) {
            assertEquals(a.forExample(e), b.forExample(e));
            draws.add(a.forExample(e).stream().map(Example::index).toList());
        }
        assertTrue(draws.size() > 30, "examples get different demonstrations");
        Demonstrations other = Demonstrations.fromOtherParts(rows, plan, 2, 12);
        assertTrue(rows.stream().anyMatch(e -> !a.forExample(e).equals(other.forExample(e))), "the seed matters");
        // Pinned draw, from an independent Python implementation of the same arithmetic.
        assertEquals(List.of(12, 54), a.forExample(rows.get(0)).stream().map(Example::index).toList());
    }

    @Test
    void separatePoolNeverShowsTheExampleItself() {
        List<Example> rows = SplitPlanTest.rows(3);
        Demonstrations demos = Demonstrations.fromPool(rows, 2, 0);
        for (Example e : rows) {
            assertTrue(demos.forExample(e).stream().noneMatch(d -> d.prompt().equals(e.prompt())));
        }
        assertEquals(List.of(), Demonstrations.none().forExample(rows.get(0)));
    }

    @Test
    void tooFewRowsForTheShotsIsAnInputError() {
        List<Example> rows = SplitPlanTest.rows(4);
        InputException e = assertThrows(InputException.class,
                () -> Demonstrations.fromOtherParts(rows, SplitPlan.shuffled(0), 3, 0));
        assertTrue(e.getMessage().startsWith("--shots 3 needs 3 demonstration rows outside the"), e.getMessage());
        assertThrows(InputException.class, () -> Demonstrations.fromPool(rows, 5, 0));
        assertThrows(InputException.class, () -> Demonstrations.fromPool(rows, -1, 0));
    }
}
