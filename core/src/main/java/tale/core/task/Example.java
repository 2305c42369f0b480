package tale.core.task;

import java.util.List;

/**
 * One row of a task file, ready to prompt and score.
 *
 * @param index         0-based row number in the file it came from (the id used by splits and records)
 * @param prompt        the user turn: the question and, for choice tasks, its labelled options
 * @param labels        what the model is asked to reply for each option ("A".."D", "1"/"2", "True"/"False");
 *                      empty for generative tasks
 * @param choices       the answer text of each option, scored as a continuation in log-likelihood mode;
 *                      empty for generative tasks
 * @param gold          index of the right option in {@code labels}; -1 for generative tasks
 * @param answer        the right answer: {@code labels[gold]}, or a generative task's final answer
 * @param demonstration the assistant's reply when this row is shown as a few-shot demonstration
 */
public record Example(int index, String prompt, List<String> labels, List<String> choices, int gold, String answer,
                      String demonstration) {

    public Example {
        labels = List.copyOf(labels);
        choices = List.copyOf(choices);
        if (labels.size() != choices.size()) throw new IllegalArgumentException("labels and choices differ in number");
        if (!labels.isEmpty() && (gold < 0 || gold >= labels.size())) {
            throw new IllegalArgumentException("gold " + gold + " outside " + labels.size() + " options");
        }
    }

    /** A multiple-choice row: the reply (and the demonstration) is the gold label. */
    public static Example choice(int index, String prompt, List<String> labels, List<String> choices, int gold) {
        return new Example(index, prompt, labels, choices, gold, labels.get(gold), labels.get(gold));
    }

    /** A generative row: the reply is free text whose final answer must equal {@code answer}. */
    public static Example generative(int index, String prompt, String answer, String demonstration) {
        return new Example(index, prompt, List.of(), List.of(), -1, answer, demonstration);
    }

    public boolean isChoice() {
        return !labels.isEmpty();
    }
}
