package tale.core.task;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tale.core.InputException;

/**
 * The k-shot demonstrations of each example, drawn with a seed from a pool that never holds the evaluated
 * rows. Two pools:
 * <ul>
 * <li>{@link #fromOtherParts}: the rows of the same file outside the example's own split part. When a part
 *     (search, select or test) is evaluated, its demonstrations come only from the other parts. (The ARC files
 *     here are test sets with no train file, so this is how they get demonstrations.)
 * <li>{@link #fromPool}: the rows of another file, such as GSM8K's train split.
 * </ul>
 * The draw for an example depends only on the seed, the example's row index and the pool, so the prompt of a
 * row is the same whichever other rows are evaluated with it. A pool row whose prompt equals the example's
 * is never drawn.
 */
public final class Demonstrations {

    private static final long DRAW_STREAM = 0x5DEECE66DL; // keeps demonstration draws independent of the split hash

    private final int shots;
    private final long seed;
    private final Split[] parts;               // null for a separate pool
    private final Map<Split, List<Example>> pools;

    private Demonstrations(int shots, long seed, Split[] parts, Map<Split, List<Example>> pools) {
        this.shots = shots;
        this.seed = seed;
        this.parts = parts;
        this.pools = pools;
    }

    public static Demonstrations none() {
        return new Demonstrations(0, 0, null, Map.of());
    }

    /** {@code shots} demonstrations per example from the rows outside its part of {@code plan}. */
    public static Demonstrations fromOtherParts(List<Example> rows, SplitPlan plan, int shots, long seed) {
        checkShots(shots);
        if (shots == 0) return none();
        Split[] parts = plan.assign(rows.size());
        Map<Split, List<Example>> pools = new EnumMap<>(Split.class);
        for (Split own : List.of(Split.SEARCH, Split.SELECT, Split.TEST)) {
            List<Example> pool = new ArrayList<>();
            boolean used = false;
            for (Example e : rows) {
                if (parts[e.index()] != own) pool.add(e);
                else used = true;
            }
            if (used && pool.size() < shots) {
                throw new InputException("--shots " + shots + " needs " + shots + " demonstration rows outside the "
                        + own + " split, but only " + pool.size() + " exist (" + plan + "); use --demos FILE");
            }
            pools.put(own, pool);
        }
        return new Demonstrations(shots, seed, parts, pools);
    }

    /** {@code shots} demonstrations per example from {@code pool} (rows of a separate file). */
    public static Demonstrations fromPool(List<Example> pool, int shots, long seed) {
        checkShots(shots);
        if (shots == 0) return none();
        if (pool.size() < shots) {
            throw new InputException("--shots " + shots + " needs " + shots + " demonstration rows; the pool has " + pool.size());
        }
        return new Demonstrations(shots, seed, null, Map.of(Split.ALL, List.copyOf(pool)));
    }

    public int shots() {
        return shots;
    }

    /** The demonstrations shown before {@code example}, in order. */
    public List<Example> forExample(Example example) {
        if (shots == 0) return List.of();
        List<Example> pool = parts == null ? pools.get(Split.ALL) : pools.get(parts[example.index()]);
        SplitMix random = new SplitMix(SplitMix.hash(seed ^ DRAW_STREAM, example.index()));
        int[] order = new int[pool.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        List<Example> out = new ArrayList<>(shots);
        // Partial Fisher-Yates: position i receives a uniform pick among the rows not yet placed.
        for (int i = 0; i < order.length && out.size() < shots; i++) {
            int j = i + random.nextInt(order.length - i);
            int pick = order[j];
            order[j] = order[i];
            order[i] = pick;
            Example candidate = pool.get(pick);
            if (!candidate.prompt().equals(example.prompt())) out.add(candidate);
        }
        if (out.size() < shots) {
            throw new InputException("row " + example.index() + ": only " + out.size() + " demonstrations differ from it; --shots is " + shots);
        }
        return out;
    }

    private static void checkShots(int shots) {
        if (shots < 0) throw new InputException("--shots must not be negative, got " + shots);
    }
}
