package tale.core.task;

import java.util.Locale;
import tale.core.InputException;

/**
 * The parts a task file is split into: {@code search} (rows the layer search scores candidates on),
 * {@code select} (rows that choose among the search's results) and {@code test} (held out, reported once);
 * {@code all} means every row.
 */
public enum Split {
    SEARCH, SELECT, TEST, ALL;

    public static Split parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InputException("unknown split \"" + s + "\" (search, select, test or all)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
