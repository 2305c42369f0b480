package tale.core.task;

/**
 * {@code mc}: any multiple-choice file, JSON rows with {@code query} (the question as it should be shown),
 * {@code choices} (the option texts) and {@code gold} (index of the right one). Options are lettered A, B, ...
 */
final class GenericChoiceTask extends JsonTask {

    static final String SYSTEM = "You are answering a multiple choice question. "
            + "Reply with the letter of the correct option and nothing else.";

    GenericChoiceTask() {
        super("mc", SYSTEM, true, 1);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        return Choices.lettered(row, index, row.text("query").strip(), row.texts("choices"), row.integer("gold"));
    }
}
