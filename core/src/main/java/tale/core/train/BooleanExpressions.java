package tale.core.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import tale.core.InputException;

/**
 * Boolean expressions in the style of BIG-Bench-Hard's {@code boolean_expressions}: the words True, False,
 * not, and, or and parentheses, separated by single spaces, evaluated with Python's precedence
 * ({@code not} > {@code and} > {@code or}), written as "{expression} is" with the target True or False.
 * Seeded and unlimited: the same seed gives the same stream. BBH's own rows are all 8 words long with at
 * most one level of parentheses, which {@link #bbhLike(long)} reproduces.
 */
public final class BooleanExpressions {

    /** One generated row: the input as BBH writes it, its value, and the value of each sub-expression. */
    public record Row(String input, boolean value, List<String> wordTargets) {
        public String target() {
            return value ? "True" : "False";
        }
    }

    private final SplittableRandom random;
    private final int minWords;
    private final int maxWords;
    private final int maxDepth;

    /**
     * @param minWords fewest words of an expression (before "is")
     * @param maxWords most words
     * @param maxDepth deepest nesting of parentheses (0: none)
     */
    public BooleanExpressions(long seed, int minWords, int maxWords, int maxDepth) {
        if (minWords < 1 || maxWords < minWords) {
            throw new InputException("expression length must satisfy 1 <= min <= max, got " + minWords + ".." + maxWords);
        }
        if (maxDepth < 0) throw new InputException("--depth must not be negative, got " + maxDepth);
        this.random = new SplittableRandom(seed);
        this.minWords = minWords;
        this.maxWords = maxWords;
        this.maxDepth = maxDepth;
    }

    /** BBH's shape: 8 words, parentheses one deep. */
    public static BooleanExpressions bbhLike(long seed) {
        return new BooleanExpressions(seed, 8, 8, 1);
    }

    public Row next() {
        int words = minWords + random.nextInt(maxWords - minWords + 1);
        List<String> tokens = new ArrayList<>();
        expression(words, maxDepth, tokens);
        return evaluate(tokens);
    }

    /** {@code count} distinct rows none of which is in {@code exclude} (inputs); fails if the space runs dry. */
    public List<Row> distinct(int count, Set<String> exclude) {
        Set<String> seen = new LinkedHashSet<>(exclude);
        List<Row> out = new ArrayList<>();
        int misses = 0;
        while (out.size() < count) {
            Row r = next();
            if (seen.add(r.input())) {
                out.add(r);
                misses = 0;
            } else if (++misses > 100_000) {
                throw new InputException("only " + out.size() + " distinct expressions of this shape could be drawn, "
                        + count + " were asked for");
            }
        }
        return out;
    }

    /** Writes rows as JSON Lines in the task's format: {"input": "... is", "target": "True"}. */
    public static void writeJsonl(List<Row> rows, Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (Row r : rows) {
                ObjectNode o = json.createObjectNode();
                o.put("input", r.input());
                o.put("target", r.target());
                w.write(json.writeValueAsString(o));
                w.newLine();
            }
        }
    }

    /** Exactly {@code n} words of a valid expression, nesting parentheses at most {@code depth} deep. */
    private void expression(int n, int depth, List<String> out) {
        if (n == 1) {
            out.add(random.nextBoolean() ? "True" : "False");
            return;
        }
        int parens = n >= 3 && depth > 0 ? 1 : 0;
        int binary = n >= 3 ? n - 2 : 0; // left part of k words, operator, right part of n-1-k words
        int choice = random.nextInt(1 + parens + binary);
        if (choice == 0) {
            out.add("not");
            expression(n - 1, depth, out);
        } else if (choice <= parens) {
            out.add("(");
            expression(n - 2, depth - 1, out);
            out.add(")");
        } else {
            int left = choice - parens;
            expression(left, depth, out);
            out.add(random.nextBoolean() ? "and" : "or");
            expression(n - 1 - left, depth, out);
        }
    }

    /** Parses {@code input} ("... is" or the bare expression) with Python's precedence. */
    public static Row evaluate(String input) {
        List<String> words = new ArrayList<>(Arrays.asList(input.strip().split("\\s+")));
        if (!words.isEmpty() && words.get(words.size() - 1).equals("is")) words.remove(words.size() - 1);
        return evaluate(words);
    }

    private static Row evaluate(List<String> words) {
        Parser p = new Parser(words);
        boolean value = p.or();
        if (p.pos != words.size()) throw new InputException("not a boolean expression: \"" + String.join(" ", words) + "\"");
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) targets.add(p.valueEndingAt[i] == null ? null : p.valueEndingAt[i] ? "True" : "False");
        targets.add(null); // "is"
        return new Row(String.join(" ", words) + " is", value, targets);
    }

    /**
     * Recursive descent over the words; records, at the last word of every sub-expression, the value of the
     * largest sub-expression ending there (an operand, a negation, a parenthesised group, a chain so far).
     */
    private static final class Parser {
        final List<String> words;
        final Boolean[] valueEndingAt;
        final int[] spanStartingAt; // start of the recorded sub-expression, so that a larger one wins
        int pos;

        Parser(List<String> words) {
            this.words = words;
            this.valueEndingAt = new Boolean[words.size()];
            this.spanStartingAt = new int[words.size()];
            Arrays.fill(spanStartingAt, Integer.MAX_VALUE);
        }

        boolean or() {
            int start = pos;
            boolean v = and();
            while (peek("or")) {
                pos++;
                v = and() | v;
                record(start, v);
            }
            return v;
        }

        boolean and() {
            int start = pos;
            boolean v = not();
            while (peek("and")) {
                pos++;
                v = not() & v;
                record(start, v);
            }
            return v;
        }

        boolean not() {
            int start = pos;
            if (peek("not")) {
                pos++;
                boolean v = !not();
                record(start, v);
                return v;
            }
            return atom();
        }

        boolean atom() {
            int start = pos;
            if (pos >= words.size()) throw new InputException("boolean expression ends early: \"" + String.join(" ", words) + "\"");
            String w = words.get(pos++);
            boolean v;
            switch (w) {
                case "True" -> v = true;
                case "False" -> v = false;
                case "(" -> {
                    v = or();
                    if (!peek(")")) throw new InputException("unclosed parenthesis in \"" + String.join(" ", words) + "\"");
                    pos++;
                }
                default -> throw new InputException("unexpected word \"" + w + "\" in \"" + String.join(" ", words) + "\"");
            }
            record(start, v);
            return v;
        }

        private boolean peek(String w) {
            return pos < words.size() && words.get(pos).equals(w);
        }

        private void record(int start, boolean v) {
            int end = pos - 1;
            if (start <= spanStartingAt[end]) {
                spanStartingAt[end] = start;
                valueEndingAt[end] = v;
            }
        }
    }
}
