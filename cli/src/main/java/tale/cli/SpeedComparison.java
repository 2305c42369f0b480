package tale.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.core.search.SearchInputs;

/**
 * Measured speed-up of layer masks over the full model: the same prompts generate the same number of tokens
 * (greedy, no stop token, so every mask does equal work) under each mask, in interleaved rounds so that a change in
 * machine load hits every mask alike; each mask's time is its fastest round (on a shared machine the slower rounds
 * measure other people's work). Speed-up = time of the full model / time under the mask.
 */
final class SpeedComparison {

    static final int NEW_TOKENS = 32;
    static final int ROUNDS = 7;
    static final int MAX_PROMPTS = 16;

    private SpeedComparison() { }

    /** Seconds per mask: the fastest of {@link #ROUNDS} interleaved rounds, after one warm-up each. */
    static Map<List<Integer>, Double> seconds(Model model, SearchInputs.Data data, List<List<Integer>> removals) {
        Prompts prompts = new Prompts(data.task(), model.chatTemplate(), data.demonstrations());
        List<Example> examples = data.test().isEmpty() ? data.search() : data.test();
        List<int[]> ids = new ArrayList<>();
        for (Example e : examples.subList(0, Math.min(MAX_PROMPTS, examples.size()))) ids.add(prompts.ids(e, model.tokenizer()));
        Map<List<Integer>, Double> seconds = new LinkedHashMap<>();
        List<List<Integer>> distinct = removals.stream().distinct().toList();
        for (List<Integer> r : distinct) {
            run(model, ids, r); // warm-up
            seconds.put(r, Double.POSITIVE_INFINITY);
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (List<Integer> r : distinct) seconds.merge(r, run(model, ids, r), Math::min);
        }
        return seconds;
    }

    private static double run(Model model, List<int[]> ids, List<Integer> removed) {
        LayerMask mask = LayerMask.dropping(model.numLayers(), removed);
        long t0 = System.nanoTime();
        model.generate(ids, mask, NEW_TOKENS, Set.of());
        return (System.nanoTime() - t0) / 1e9;
    }
}
