package tale.core.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tale.core.InputException;

/**
 * How a task file's rows are divided into search, select and test parts. Two kinds:
 * <ul>
 * <li>{@link #shuffled}: rows ordered by a SplitMix64 hash of (seed, row index), then the first fraction goes
 *     to search, the next to select and the rest to test. The part of a row depends only on the seed, its
 *     index and the row count, so it is the same on every run and machine. Default fractions 0.5 / 0.25 / 0.25.
 * <li>{@link #firstRows}: the paper's mode: the first N rows are searched on, the next M select, the rest test.
 * </ul>
 */
public final class SplitPlan {

    public static final double[] DEFAULT_FRACTIONS = {0.5, 0.25, 0.25};

    private final long seed;
    private final double[] fractions; // null in first-rows mode
    private final int firstSearch, firstSelect;

    private SplitPlan(long seed, double[] fractions, int firstSearch, int firstSelect) {
        this.seed = seed;
        this.fractions = fractions;
        this.firstSearch = firstSearch;
        this.firstSelect = firstSelect;
    }

    /** A seeded shuffle with fractions {search, select, test} (non-negative, summing to 1). */
    public static SplitPlan shuffled(long seed, double search, double select, double test) {
        double[] f = {search, select, test};
        for (double x : f) {
            if (!(x >= 0 && x <= 1)) throw new InputException("split fractions must lie in [0, 1], got " + fmt(f));
        }
        if (Math.abs(search + select + test - 1) > 1e-6) throw new InputException("split fractions must sum to 1, got " + fmt(f));
        return new SplitPlan(seed, f, 0, 0);
    }

    public static SplitPlan shuffled(long seed) {
        return shuffled(seed, DEFAULT_FRACTIONS[0], DEFAULT_FRACTIONS[1], DEFAULT_FRACTIONS[2]);
    }

    /** Parses "0.5,0.25,0.25". */
    public static SplitPlan shuffled(long seed, String fractions) {
        double[] f = parseNumbers(fractions, 3, "--fractions");
        return shuffled(seed, f[0], f[1], f[2]);
    }

    /** The first {@code search} rows, then {@code select} rows; the rest are test. */
    public static SplitPlan firstRows(int search, int select) {
        if (search < 0 || select < 0) throw new InputException("split row counts must not be negative");
        return new SplitPlan(0, null, search, select);
    }

    /** Parses "570,100". */
    public static SplitPlan firstRows(String counts) {
        double[] c = parseNumbers(counts, 2, "--split-rows");
        if (c[0] != Math.rint(c[0]) || c[1] != Math.rint(c[1])) throw new InputException("--split-rows takes whole numbers, got \"" + counts + "\"");
        return firstRows((int) c[0], (int) c[1]);
    }

    /** The part of every row of an {@code n}-row file. */
    public Split[] assign(int n) {
        Split[] parts = new Split[n];
        if (fractions == null) {
            if (firstSearch + firstSelect > n) {
                throw new InputException("--split-rows " + firstSearch + "," + firstSelect + " needs at least "
                        + (firstSearch + firstSelect) + " rows; the file has " + n);
            }
            for (int i = 0; i < n; i++) parts[i] = i < firstSearch ? Split.SEARCH : i < firstSearch + firstSelect ? Split.SELECT : Split.TEST;
            return parts;
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = SplitMix.hash(seed, i);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> keys[i] ^ Long.MIN_VALUE).thenComparingInt(i -> i));
        int search = (int) Math.round(n * fractions[0]);
        int select = Math.min(n - search, (int) Math.round(n * fractions[1]));
        for (int r = 0; r < n; r++) parts[order[r]] = r < search ? Split.SEARCH : r < search + select ? Split.SELECT : Split.TEST;
        return parts;
    }

    /** The rows of {@code split}, in file order; an empty part is an error. */
    public List<Example> select(List<Example> rows, Split split) {
        if (rows.isEmpty()) throw new InputException("the task file has no rows");
        if (split == Split.ALL) return rows;
        Split[] parts = assign(rows.size());
        List<Example> out = new ArrayList<>();
        for (Example e : rows) if (parts[e.index()] == split) out.add(e);
        if (out.isEmpty()) throw new InputException("split " + split + " is empty: " + rows.size() + " rows divided by " + this);
        return out;
    }

    @Override
    public String toString() {
        return fractions == null ? "first rows " + firstSearch + "," + firstSelect
                : "seed " + seed + ", fractions " + fmt(fractions);
    }

    private static String fmt(double[] f) {
        StringBuilder sb = new StringBuilder();
        for (double x : f) sb.append(sb.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%s", x));
        return sb.toString();
    }

    private static double[] parseNumbers(String csv, int count, String option) {
        String[] parts = csv.split(",");
        if (parts.length != count) throw new InputException(option + " takes " + count + " comma-separated numbers, got \"" + csv + "\"");
        double[] out = new double[count];
        try {
            for (int i = 0; i < count; i++) out[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
            throw new InputException(option + " takes " + count + " comma-separated numbers, got \"" + csv + "\"");
        }
        return out;
    }
}
