package tale.core.search;

import java.util.List;
import tale.core.model.ForwardState;
import tale.core.scoring.ExampleResult;
import tale.core.task.Split;

/**
 * What the local evaluator needs from a scoring mode: the token sequences of a batch of examples, prepared once,
 * and the per-example results from a forward state that has run a configuration's layers. Splitting the two is
 * what lets prefix reuse score many configurations from one prepared batch.
 */
public interface BatchScoring {

    /** A prepared batch: one prompt per example, in example order. */
    interface Batch {
        List<int[]> sequences();
    }

    /** The examples at positions [from, to) of {@code split}. */
    Batch prepare(Split split, int from, int to);

    /** Scores a batch from {@code finished}, a state past the last layer; the state may be consumed. */
    List<ExampleResult> score(Batch batch, ForwardState finished);
}
