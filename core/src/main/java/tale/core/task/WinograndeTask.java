package tale.core.task;

import java.util.List;

/**
 * Winogrande: a sentence with a blank and two options, answered 1 or 2. Reads Hugging Face rows
 * ({@code sentence} with "_", {@code option1}, {@code option2}, {@code answer} "1"/"2") and llm-foundry rows
 * ({@code context_options}: the sentence up to the blank filled with each option, {@code continuation}: the
 * rest, {@code gold}). From the latter the blank is recovered as the last whitespace inside the part the two
 * contexts share ("... because the pen" / "... because the pencil" gives options "pen" and "pencil"); the
 * continuation follows the blank after a space unless it starts with punctuation ("_'s").
 */
final class WinograndeTask extends JsonTask {

    static final String SYSTEM = "Choose the option that correctly fills the blank (_) in the sentence. "
            + "Reply with 1 or 2 and nothing else.";

    private static final List<String> LABELS = List.of("1", "2");

    WinograndeTask() {
        super("winogrande", SYSTEM, true, 1);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        String sentence;
        List<String> options;
        int gold;
        if (row.has("context_options")) {
            List<String> contexts = row.texts("context_options");
            if (contexts.size() != 2) throw row.error("context_options must hold 2 sentences, has " + contexts.size());
            String a = contexts.get(0), b = contexts.get(1);
            int common = 0;
            while (common < Math.min(a.length(), b.length()) && a.charAt(common) == b.charAt(common)) common++;
            int cut = common;
            while (cut > 0 && !Character.isWhitespace(a.charAt(cut - 1))) cut--;
            options = List.of(a.substring(cut), b.substring(cut));
            if (options.get(0).isEmpty() || options.get(1).isEmpty() || options.get(0).equals(options.get(1))) {
                throw row.error("context_options do not differ in a final option: " + contexts);
            }
            String rest = row.text("continuation").strip();
            boolean glued = !rest.isEmpty() && ",.;:!?'’)".indexOf(rest.charAt(0)) >= 0;
            sentence = a.substring(0, cut) + "_" + (glued || rest.isEmpty() ? "" : " ") + rest;
            gold = row.integer("gold");
        } else if (row.has("sentence")) {
            sentence = row.text("sentence");
            if (!sentence.contains("_")) throw row.error("sentence has no blank \"_\"");
            options = List.of(row.text("option1"), row.text("option2"));
            String answer = row.text("answer").strip();
            if (answer.isEmpty()) throw row.error("answer is empty (an unlabelled test row?)");
            gold = Choices.indexOfKey(row, LABELS, answer, "answer");
        } else {
            throw row.error("expected \"context_options\" (llm-foundry) or \"sentence\" (Hugging Face)");
        }
        Choices.check(row, options, gold);
        String prompt = "Sentence: " + sentence.strip() + "\n" + Choices.listed(LABELS, options);
        return Example.choice(index, prompt, LABELS, options, gold);
    }
}
