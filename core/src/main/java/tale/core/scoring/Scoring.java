package tale.core.scoring;

import java.util.Locale;
import tale.core.InputException;

/**
 * How an example is scored.
 * <ul>
 * <li>{@code generate} (the paper's): greedy decoding, then the answer is parsed out of the text and compared
 *     exactly; text with no answer in it is wrong and counted as invalid.
 * <li>{@code loglik} (lm-evaluation-harness style): the summed log-probability of each option's answer text
 *     as the continuation of the prompt; the most likely option is the prediction ({@code acc}), and the most
 *     likely per character the length-normalized one ({@code acc_norm}). Multiple choice only.
 * <li>{@code margin}: log-probability of the gold label minus that of the best wrong label, a continuous
 *     score a search can rank by; the prediction is the most likely label. Multiple choice only.
 * </ul>
 */
public enum Scoring {
    GENERATE, LOGLIK, MARGIN;

    public static Scoring parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InputException("unknown scoring \"" + s + "\" (generate, loglik or margin)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
