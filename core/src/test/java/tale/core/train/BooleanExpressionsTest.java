package tale.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tale.core.InputException;
import tale.core.task.Example;
import tale.core.task.TaskFixtures;
import tale.core.task.Tasks;

class BooleanExpressionsTest {

    @Test
    void pythonPrecedenceNotThenAndThenOr() {
        assertTrue(BooleanExpressions.evaluate("True or False and False is").value(), "and binds tighter than or");
        assertFalse(BooleanExpressions.evaluate("not True or False is").value(), "not binds tighter than or");
        assertTrue(BooleanExpressions.evaluate("not ( True and False ) is").value());
        assertFalse(BooleanExpressions.evaluate("not not not True is").value());
        assertThrows(InputException.class, () -> BooleanExpressions.evaluate("True and is"));
        assertThrows(InputException.class, () -> BooleanExpressions.evaluate("( True is"));
    }

    @Test
    void agreesWithEveryTargetOfTheRealBigBenchHardFile() {
        Path dir = TaskFixtures.sharedTaskData().orElse(null);
        Assumptions.assumeTrue(dir != null, "shared/data/tasks not found (set TALE_TASK_DATA)");
        List<Example> rows = Tasks.byName(DemoModel.TASK).load(dir.resolve("bbh/boolean_expressions.json"));
        assertEquals(250, rows.size());
        for (Example e : rows) assertEquals(e.answer(), BooleanExpressions.evaluate(e.prompt()).target(), e.prompt());
    }

    @Test
    void seededBbhShapedAndDistinct() {
        List<BooleanExpressions.Row> a = BooleanExpressions.bbhLike(5).distinct(200, Set.of());
        assertEquals(a, BooleanExpressions.bbhLike(5).distinct(200, Set.of()), "same seed, same rows");
        assertEquals(200, a.stream().map(BooleanExpressions.Row::input).distinct().count());
        for (BooleanExpressions.Row r : a) {
            assertEquals(9, r.input().split(" ").length, r.input()); // 8 words and "is", as every BBH row
            assertFalse(r.input().contains("( ("), "parentheses one deep: " + r.input());
            assertEquals(r.value(), BooleanExpressions.evaluate(r.input()).value());
        }
        assertTrue(a.stream().anyMatch(BooleanExpressions.Row::value) && a.stream().anyMatch(r -> !r.value()));
        List<BooleanExpressions.Row> deep = new BooleanExpressions(1, 12, 12, 3).distinct(50, Set.of());
        assertTrue(deep.stream().anyMatch(r -> r.input().contains("( (")), "deeper nesting when allowed");
    }
}
