package tale.core.task;

import java.util.List;

/**
 * ARC-Easy and ARC-Challenge. Reads llm-foundry rows ({@code query} "Question: ...", {@code choices},
 * {@code gold}) and Hugging Face rows ({@code question}, {@code choices.text}, {@code choices.label},
 * {@code answerKey}).
 */
final class ArcTask extends JsonTask {

    static final String SYSTEM = "You are answering a multiple choice science question. "
            + "Reply with the letter of the correct option and nothing else.";

    ArcTask(String name) {
        super(name, SYSTEM, 1);
    }

    @Override
    public boolean isChoice() {
        return true;
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        String question;
        List<String> options;
        int gold;
        if (row.has("query")) {
            question = stripPrefix(row.text("query"), "Question: ");
            options = row.texts("choices");
            gold = row.integer("gold");
        } else if (row.has("question")) {
            question = row.text("question");
            options = row.texts("choices.text");
            gold = Choices.indexOfKey(row, row.texts("choices.label"), row.text("answerKey"), "answerKey");
        } else {
            throw row.error("expected \"query\" (llm-foundry) or \"question\" (Hugging Face)");
        }
        return Choices.lettered(row, index, "Question: " + question.strip(), options, gold);
    }

    static String stripPrefix(String s, String prefix) {
        return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    }
}
