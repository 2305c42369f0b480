package tale.core.task;

import java.util.ArrayList;
import java.util.List;

/** Lettered options, shared by every multiple-choice task: "A. first\nB. second". */
final class Choices {

    private Choices() { }

    /** "A", "B", ... for {@code n} options. */
    static List<String> letters(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(String.valueOf((char) ('A' + i)));
        return out;
    }

    /** One line per option, "label. text". */
    static String listed(List<String> labels, List<String> options) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < options.size(); i++) {
            if (i > 0) sb.append('\n');
            sb.append(labels.get(i)).append(". ").append(options.get(i));
        }
        return sb.toString();
    }

    /** A lettered example: {@code stem}, then the options A, B, ... one per line. */
    static Example lettered(TaskFile.Located row, int index, String stem, List<String> options, int gold) {
        check(row, options, gold);
        List<String> labels = letters(options.size());
        return Example.choice(index, stem + "\n" + listed(labels, options), labels, options, gold);
    }

    static void check(TaskFile.Located row, List<String> options, int gold) {
        if (options.size() < 2) throw row.error("needs at least 2 choices, has " + options.size());
        if (options.size() > 26) throw row.error("has " + options.size() + " choices; at most 26 can be lettered");
        if (gold < 0 || gold >= options.size()) {
            throw row.error("gold " + gold + " is outside the " + options.size() + " choices");
        }
    }

    /**
     * A Hugging Face multiple-choice row ({@code question}, {@code choices.text}, {@code choices.label},
     * {@code answerKey}), as ARC and CommonsenseQA publish them, asked as "Question: ..." with lettered options.
     */
    static Example keyedQuestion(TaskFile.Row row, int index) {
        int gold = indexOfKey(row, row.texts("choices.label"), row.text("answerKey"), "answerKey");
        return lettered(row, index, "Question: " + row.text("question").strip(), row.texts("choices.text"), gold);
    }

    /** The error for a row in neither of a task's two formats. */
    static RuntimeException unknownFormat(TaskFile.Row row) {
        return row.error("expected \"query\" (llm-foundry) or \"question\" (Hugging Face)");
    }

    /** Index of {@code key} among {@code keys} (Hugging Face's answerKey among choices.label). */
    static int indexOfKey(TaskFile.Located row, List<String> keys, String key, String field) {
        int i = keys.indexOf(key.trim());
        if (i < 0) throw row.error(field + " \"" + key + "\" is not one of the choice labels " + keys);
        return i;
    }
}
