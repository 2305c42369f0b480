package tale.core.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tale.core.InputException;

class SplitPlanTest {

    static List<Example> rows(int n) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Example.choice(i, "q" + i, List.of("A", "B"), List.of("x", "y"), i % 2));
        return out;
    }

    @Test
    void seededSplitIsFixedArithmeticSoItIsTheSameOnEveryMachine() {
        // Pinned, from an independent Python implementation of SplitMix64 (sort by mix(seed + (i+1)*golden)):
        // a change here would change which rows every past search ran on.
        Split[] parts = SplitPlan.shuffled(0).assign(12);
        assertEquals("[test, select, search, test, search, search, search, select, search, test, search, select]",
                Arrays.toString(parts));
        assertEquals("[search, select, test, search, search, select, test, search, search, test, search, select]",
                Arrays.toString(SplitPlan.shuffled(1).assign(12)));
    }

    @Test
    void partsCoverEveryRowOnceWithTheRequestedSizes() {
        int n = 1172;
        Split[] parts = SplitPlan.shuffled(7, 0.6, 0.2, 0.2).assign(n);
        long search = Arrays.stream(parts).filter(p -> p == Split.SEARCH).count();
        long select = Arrays.stream(parts).filter(p -> p == Split.SELECT).count();
        long test = Arrays.stream(parts).filter(p -> p == Split.TEST).count();
        assertEquals(Math.round(n * 0.6), search);
        assertEquals(Math.round(n * 0.2), select);
        assertEquals(n, search + select + test);
        assertArrayEquals(parts, SplitPlan.shuffled(7, "0.6,0.2,0.2").assign(n), "same seed, same split");
        assertNotEquals(Arrays.toString(parts), Arrays.toString(SplitPlan.shuffled(8, 0.6, 0.2, 0.2).assign(n)));
    }

    @Test
    void selectReturnsThePartInFileOrderAndAllIsEverything() {
        List<Example> rows = rows(40);
        SplitPlan plan = SplitPlan.shuffled(3);
        List<Example> search = plan.select(rows, Split.SEARCH);
        List<Example> select = plan.select(rows, Split.SELECT);
        List<Example> test = plan.select(rows, Split.TEST);
        assertEquals(40, search.size() + select.size() + test.size());
        assertEquals(20, search.size());
        for (List<Example> part : List.of(search, select, test)) {
            for (int i = 1; i < part.size(); i++) assertTrue(part.get(i - 1).index() < part.get(i).index());
        }
        assertEquals(rows, plan.select(rows, Split.ALL));
    }

    @Test
    void firstRowsModeTakesRowsInOrder() {
        List<Example> rows = rows(10);
        SplitPlan plan = SplitPlan.firstRows("4,3");
        assertEquals(List.of(0, 1, 2, 3), plan.select(rows, Split.SEARCH).stream().map(Example::index).toList());
        assertEquals(List.of(4, 5, 6), plan.select(rows, Split.SELECT).stream().map(Example::index).toList());
        assertEquals(List.of(7, 8, 9), plan.select(rows, Split.TEST).stream().map(Example::index).toList());
        assertTrue(assertThrows(InputException.class, () -> SplitPlan.firstRows(8, 3).assign(10)).getMessage()
                .contains("needs at least 11 rows; the file has 10"));
    }

    @Test
    void emptyPartsAndBadFractionsAreInputErrors() {
        InputException empty = assertThrows(InputException.class,
                () -> SplitPlan.shuffled(0, 1, 0, 0).select(rows(5), Split.TEST));
        assertTrue(empty.getMessage().startsWith("split test is empty: 5 rows"), empty.getMessage());
        assertThrows(InputException.class, () -> SplitPlan.shuffled(0, 0.5, 0.5, 0.5));
        assertThrows(InputException.class, () -> SplitPlan.shuffled(0, -0.5, 1, 0.5));
        assertThrows(InputException.class, () -> SplitPlan.shuffled(0, "0.5,0.5"));
        assertThrows(InputException.class, () -> SplitPlan.firstRows("a,b"));
        assertThrows(InputException.class, () -> Split.parse("train"));
    }
}
