package tale.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.search.SearchInputs;
import tale.core.task.Example;
import tale.core.task.Prompts;

/**
 * Measured speed-up of layer masks over the full model: the same prompts generate the same number of tokens
 * (greedy, no stop token, so every mask does equal work) under each mask, in interleaved rounds, with one engine
 * thread. The time is the CPU time of the generating thread, the median of the rounds: on a shared machine wall
 * time mostly measures other people's work (it varied 3x between identical runs here), CPU time does not.
 * Speed-up = time of the full model / time under the mask.
 */
final class SpeedComparison {

    static final int NEW_TOKENS = 32;
    static final int ROUNDS = 7;
    static final int MAX_PROMPTS = 16;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SpeedComparison() { }

    /** Median CPU seconds per removal set, after one warm-up each. */
    static Map<List<Integer>, Double> seconds(Model model, SearchInputs.Data data, List<List<Integer>> removals) {
        Prompts prompts = new Prompts(data.task(), model.chatTemplate(), data.demonstrations());
        List<Example> examples = data.test().isEmpty() ? data.search() : data.test();
        List<int[]> ids = new ArrayList<>();
        for (Example e : examples.subList(0, Math.min(MAX_PROMPTS, examples.size()))) ids.add(prompts.ids(e, model.tokenizer()));
        List<List<Integer>> distinct = removals.stream().distinct().toList();
        Map<List<Integer>, List<Double>> rounds = new LinkedHashMap<>();
        for (List<Integer> r : distinct) {
            run(model, ids, r); // warm-up
            rounds.put(r, new ArrayList<>());
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (List<Integer> r : distinct) rounds.get(r).add(run(model, ids, r));
        }
        Map<List<Integer>, Double> seconds = new LinkedHashMap<>();
        rounds.forEach((r, times) -> seconds.put(r, times.stream().sorted().toList().get(times.size() / 2)));
        return seconds;
    }

    private static double run(Model model, List<int[]> ids, List<Integer> removed) {
        LayerMask mask = LayerMask.dropping(model.numLayers(), removed);
        long t0 = THREADS.getCurrentThreadCpuTime();
        model.generate(ids, mask, NEW_TOKENS, Set.of());
        return (THREADS.getCurrentThreadCpuTime() - t0) / 1e9;
    }
}
