package tale.core.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * BoolQ: a passage and a yes/no question, asked as A = True, B = False. Reads llm-foundry rows ({@code query}
 * "Passage: ...\nQuestion: ...", {@code choices} ["no", "yes"], {@code gold}) and Hugging Face rows
 * ({@code question}, {@code passage}, {@code answer} true/false).
 */
final class BoolqTask extends JsonTask {

    static final String SYSTEM = "Read the passage and answer the yes/no question. "
            + "Reply with A if the answer is True or B if it is False, and nothing else.";

    private static final List<String> LABELS = List.of("A", "B");
    private static final List<String> CHOICES = List.of("True", "False");

    BoolqTask() {
        super("boolq", SYSTEM, true, 1);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        String passage, question;
        boolean yes;
        if (row.has("query")) {
            String query = row.text("query");
            int q = query.lastIndexOf("\nQuestion: ");
            if (q < 0) throw row.error("query has no \"\\nQuestion: \" line");
            passage = ArcTask.stripPrefix(query.substring(0, q), "Passage: ");
            question = query.substring(q + "\nQuestion: ".length());
            List<String> choices = row.texts("choices");
            int gold = row.integer("gold");
            if (gold < 0 || gold >= choices.size()) {
                throw row.error("gold " + gold + " is outside the " + choices.size() + " choices");
            }
            String answer = choices.get(gold).strip().toLowerCase();
            if (!answer.equals("yes") && !answer.equals("no")) {
                throw row.error("choices must be \"yes\" and \"no\", got " + choices);
            }
            yes = answer.equals("yes");
        } else {
            passage = row.text("passage");
            question = row.text("question");
            yes = bool(row, "answer");
        }
        question = question.strip();
        if (!question.endsWith("?")) question += "?";
        String prompt = "Passage: " + passage.strip() + "\nQuestion: " + question + "\n" + Choices.listed(LABELS, CHOICES);
        return Example.choice(index, prompt, LABELS, CHOICES, yes ? 0 : 1);
    }

    private static boolean bool(TaskFile.Row row, String field) {
        JsonNode n = row.node().get(field);
        if (n != null && n.isBoolean()) return n.asBoolean();
        String s = row.text(field).strip().toLowerCase();
        return switch (s) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw row.error("field \"" + field + "\" must be true or false, got \"" + s + "\"");
        };
    }
}
