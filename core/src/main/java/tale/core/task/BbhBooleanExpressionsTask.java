package tale.core.task;

import java.util.List;

/**
 * BIG-Bench-Hard boolean expressions: "not ( True ) and ( True ) is" -> "False". Reads the BBH file
 * ({@code {"examples": [{"input", "target"}]}}) and JSON Lines of the same rows, such as generated ones.
 * The labels are the words True and False; the model may use up to 5 tokens to say one.
 */
final class BbhBooleanExpressionsTask extends JsonTask {

    static final String SYSTEM = "Evaluate the boolean expression. Reply with True or False and nothing else.";

    private static final List<String> LABELS = List.of("True", "False");

    BbhBooleanExpressionsTask() {
        super("bbh_boolean_expressions", SYSTEM, true, 5);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        String input = row.text("input").strip();
        String target = row.text("target").strip();
        int gold = LABELS.indexOf(target);
        if (gold < 0) throw row.error("target must be True or False, got \"" + target + "\"");
        return Example.choice(index, input, LABELS, LABELS, gold);
    }
}
