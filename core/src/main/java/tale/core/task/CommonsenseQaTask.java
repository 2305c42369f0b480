package tale.core.task;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CommonsenseQA. Reads llm-foundry rows, whose {@code query} already lists the lettered options and ends with
 * "Answer:" (the options are parsed back out of it), and Hugging Face rows ({@code question},
 * {@code choices.label}, {@code choices.text}, {@code answerKey}).
 */
final class CommonsenseQaTask extends JsonTask {

    static final String SYSTEM = "You are answering a multiple choice commonsense question. "
            + "Reply with the letter of the correct option and nothing else.";

    private static final Pattern QUERY =
            Pattern.compile("Question: (.*)\\nChoices:\\n((?:[A-Z]\\. [^\\n]*\\n)+)Answer:\\s*", Pattern.DOTALL);
    private static final Pattern OPTION = Pattern.compile("([A-Z])\\. ([^\\n]*)\\n");

    CommonsenseQaTask() {
        super("commonsense_qa", SYSTEM, true, 1);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        if (row.has("question")) return Choices.keyedQuestion(row, index);
        if (!row.has("query")) throw Choices.unknownFormat(row);
        Matcher m = QUERY.matcher(row.text("query"));
        if (!m.matches()) throw row.error("query is not \"Question: ...\\nChoices:\\nA. ...\\nAnswer:\"");
        List<String> letters = new ArrayList<>(), options = new ArrayList<>();
        Matcher o = OPTION.matcher(m.group(2));
        while (o.find()) {
            letters.add(o.group(1));
            options.add(o.group(2));
        }
        if (!letters.equals(Choices.letters(options.size()))) throw row.error("options are not lettered A, B, ...: " + letters);
        List<String> choices = row.texts("choices");
        if (!choices.equals(letters)) throw row.error("choices " + choices + " do not match the options " + letters);
        return Choices.lettered(row, index, "Question: " + m.group(1).strip(), options, row.integer("gold"));
    }
}
