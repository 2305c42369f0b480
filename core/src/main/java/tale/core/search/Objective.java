package tale.core.search;

import java.util.Locale;
import tale.core.InputException;

/**
 * How a round ranks its candidates. Acceptance against the floor is always by accuracy.
 * <ul>
 * <li>{@code accuracy} (the paper's): the fraction of examples answered correctly.
 * <li>{@code margin}: the mean gold margin (log p(gold) - max log p(wrong)), a continuous score that separates
 *     candidates accuracy ties; needs a scoring mode that produces margins.
 * </ul>
 */
public enum Objective {
    ACCURACY, MARGIN;

    public static Objective parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InputException("unknown objective \"" + s + "\" (accuracy or margin)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
