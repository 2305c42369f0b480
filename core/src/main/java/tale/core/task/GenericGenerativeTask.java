package tale.core.task;

/**
 * {@code gen}: any question-answer file, JSON rows with {@code question} or {@code input} and {@code answer}
 * or {@code target}. An answer holding a "#### " line is a worked solution (as in GSM8K): the text after the
 * last "####" is the gold answer. Otherwise the whole answer is.
 */
final class GenericGenerativeTask extends JsonTask {

    static final String SYSTEM = "Answer the question. Think step by step if it helps, then write the final "
            + "answer on its own last line, in the form: #### <answer>";

    GenericGenerativeTask() {
        super("gen", SYSTEM, false, 256);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        String question = row.textOf("question", "input").strip();
        String answer = row.textOf("answer", "target").strip();
        int mark = answer.lastIndexOf("####");
        if (mark >= 0) {
            String finalAnswer = answer.substring(mark + 4).strip();
            if (finalAnswer.isEmpty()) throw row.error("answer's \"####\" line is empty");
            return Example.generative(index, question, finalAnswer, answer);
        }
        if (answer.isEmpty()) throw row.error("answer is empty");
        return Example.generative(index, question, answer, "#### " + answer);
    }
}
