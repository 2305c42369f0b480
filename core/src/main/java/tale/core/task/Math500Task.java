package tale.core.task;

/**
 * MATH-500 (and MATH): {@code problem} and {@code answer} (a number or a LaTeX expression), with an optional
 * worked {@code solution} that demonstrations show before the final "#### <answer>" line.
 */
final class Math500Task extends JsonTask {

    static final String SYSTEM = "Solve the math problem. Think step by step, then write the final answer in "
            + "simplest form on its own last line, in the form: #### <answer>";

    Math500Task() {
        super("math500", SYSTEM, false, 256);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        String answer = row.text("answer").strip();
        if (answer.isEmpty()) throw row.error("answer is empty");
        String solution = row.optionalText("solution").map(String::strip).orElse("");
        String shown = (solution.isEmpty() ? "" : solution + "\n") + "#### " + answer;
        return Example.generative(index, row.text("problem").strip(), answer, shown);
    }
}
