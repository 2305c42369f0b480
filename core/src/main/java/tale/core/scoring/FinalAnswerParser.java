package tale.core.scoring;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The final answer of a worked solution, looked for in this order: the text after the last {@code ####} (the
 * format the prompts ask for), the last {@code \boxed{...}}, the last number. Answers are compared after
 * {@link #normalize}: numbers by value ("1,234" = "1234.0"), other answers (LaTeX) as normalized text.
 */
public final class FinalAnswerParser implements AnswerParser {

    private static final Pattern HASHES = Pattern.compile("####[ \\t]*([^\\n]*)");
    private static final Pattern NUMBER = Pattern.compile("-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|-?\\d+(?:\\.\\d+)?|-?\\.\\d+");
    private static final Pattern THOUSANDS = Pattern.compile("-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?");

    @Override
    public Optional<String> parse(String output) {
        String last = null;
        Matcher h = HASHES.matcher(output);
        while (h.find()) last = h.group(1);
        if (last != null && !normalize(last).isEmpty()) return Optional.of(normalize(last));
        String boxed = lastBoxed(output);
        if (boxed != null && !normalize(boxed).isEmpty()) return Optional.of(normalize(boxed));
        String number = lastNumber(output);
        return number == null ? Optional.empty() : Optional.of(normalize(number));
    }

    /** Whether a parsed answer equals the gold one; a numeric gold also accepts "18 dollars" for 18. */
    public static boolean matches(String predicted, String gold) {
        String p = normalize(predicted), g = normalize(gold);
        if (p.equals(g)) return true;
        BigDecimal gv = number(g);
        if (gv == null) return false;
        BigDecimal pv = number(p);
        if (pv == null) {
            Matcher m = NUMBER.matcher(p);
            pv = m.find() ? number(normalize(m.group())) : null;
        }
        return pv != null && pv.compareTo(gv) == 0;
    }

    /**
     * Canonical text of an answer: no spaces, dollar signs, {@code \left}/{@code \right}, {@code \text{}} or
     * {@code \mathrm{}} wrappers, degree or percent signs, {@code \dfrac} and {@code \tfrac} spelled
     * {@code \frac}, no trailing period; a number in plain decimal form ("1,234.50" -> "1234.5").
     */
    public static String normalize(String answer) {
        String s = answer.strip();
        s = s.replaceAll("\\\\(?:text|textbf|mathrm|mbox)\\{([^{}]*)\\}", "$1");
        s = s.replace("\\left", "").replace("\\right", "").replace("\\!", "").replace("\\,", "")
                .replace("\\;", "").replace("\\ ", "").replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
                .replace("^\\circ", "").replace("^{\\circ}", "").replace("\\%", "").replace("%", "")
                .replace("$", "");
        s = s.replaceAll("\\s+", "");
        while (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        if (THOUSANDS.matcher(s).matches()) s = s.replace(",", "");
        BigDecimal v = number(s);
        if (v != null) {
            s = v.signum() == 0 ? "0" : v.stripTrailingZeros().toPlainString();
        }
        return s;
    }

    private static BigDecimal number(String s) {
        if (!s.matches("-?(\\d+(\\.\\d*)?|\\.\\d+)")) return null;
        return new BigDecimal(s);
    }

    private static String lastNumber(String output) {
        String last = null;
        Matcher m = NUMBER.matcher(output);
        while (m.find()) last = m.group();
        return last;
    }

    /** The content of the last {@code \boxed{...}}, braces balanced; null when there is none. */
    static String lastBoxed(String output) {
        int at = output.lastIndexOf("\\boxed");
        while (at >= 0) {
            int open = at + "\\boxed".length();
            while (open < output.length() && output.charAt(open) == ' ') open++;
            if (open < output.length() && output.charAt(open) == '{') {
                int depth = 0;
                for (int i = open; i < output.length(); i++) {
                    char c = output.charAt(i);
                    if (c == '{') depth++;
                    else if (c == '}' && --depth == 0) return output.substring(open + 1, i);
                }
            }
            at = output.lastIndexOf("\\boxed", at - 1);
        }
        return null;
    }
}
