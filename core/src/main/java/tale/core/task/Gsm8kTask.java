package tale.core.task;

/**
 * GSM8K: {@code question} and {@code answer}, a worked solution whose last line is "#### <number>". The
 * number is the gold answer; the solution, without its {@code <<48/2=24>>} calculator notes, is the reply a
 * demonstration shows.
 */
final class Gsm8kTask extends JsonTask {

    static final String SYSTEM = "Solve the math word problem. Think step by step, then write the final answer "
            + "as a number on its own last line, in the form: #### <number>";

    Gsm8kTask() {
        super("gsm8k", SYSTEM, false, 256);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        String solution = row.text("answer");
        int mark = solution.lastIndexOf("####");
        if (mark < 0) throw row.error("answer has no final \"#### <number>\" line");
        String answer = solution.substring(mark + 4).strip();
        if (answer.isEmpty()) throw row.error("answer's \"####\" line is empty");
        String shown = solution.replaceAll("<<[^<>]*>>", "").strip();
        return Example.generative(index, row.text("question").strip(), answer, shown);
    }
}
