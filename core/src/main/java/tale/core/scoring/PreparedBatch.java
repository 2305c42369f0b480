package tale.core.scoring;

import java.util.List;
import tale.core.task.Example;

/**
 * A group of examples tokenized for one forward: {@link #sequences()} is what {@code Model.start} takes. A
 * batch is prepared once and can be scored under any number of layer masks.
 */
public final class PreparedBatch {

    /**
     * One example's tokens: the prompt, each label's tokens (choice tasks) and each continuation scored by
     * log-likelihood (answer texts in loglik mode, labels in margin mode when a label is longer than one
     * token; empty otherwise).
     */
    public record Item(Example example, int[] prompt, List<int[]> labels, List<int[]> continuations) { }

    private final List<Item> items;

    PreparedBatch(List<Item> items) {
        if (items.isEmpty()) throw new IllegalArgumentException("an empty batch");
        this.items = List.copyOf(items);
    }

    public List<Item> items() {
        return items;
    }

    public List<Example> examples() {
        return items.stream().map(Item::example).toList();
    }

    /** The prompts' token ids, in batch order. */
    public List<int[]> sequences() {
        return items.stream().map(Item::prompt).toList();
    }

    public int size() {
        return items.size();
    }

    /** Tokens of the longest prompt. */
    public int maxLength() {
        return items.stream().mapToInt(i -> i.prompt().length).max().orElse(0);
    }
}
