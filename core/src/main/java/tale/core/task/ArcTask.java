package tale.core.task;

/**
 * ARC-Easy and ARC-Challenge. Reads llm-foundry rows ({@code query} "Question: ...", {@code choices},
 * {@code gold}) and Hugging Face rows ({@code question}, {@code choices.text}, {@code choices.label},
 * {@code answerKey}).
 */
final class ArcTask extends JsonTask {

    static final String SYSTEM = "You are answering a multiple choice science question. "
            + "Reply with the letter of the correct option and nothing else.";

    ArcTask(String name) {
        super(name, SYSTEM, true, 1);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        if (row.has("question")) return Choices.keyedQuestion(row, index);
        if (!row.has("query")) throw Choices.unknownFormat(row);
        String question = stripPrefix(row.text("query"), "Question: ").strip();
        return Choices.lettered(row, index, "Question: " + question, row.texts("choices"), row.integer("gold"));
    }

    static String stripPrefix(String s, String prefix) {
        return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    }
}
