package tale.core.text;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Translates Jinja2 template source, as Hugging Face compiles it ({@code trim_blocks=True, lstrip_blocks=True},
 * default {@code keep_trailing_newline=False}), into Jinjava source that renders the same text. Jinjava's own
 * whitespace handling differs from Jinja2's in corner cases (its right-hand trim marker strips both ends of the
 * next text, comments eat a space), so this class applies Jinja2's lexer rules itself and hands Jinjava plain
 * tags with the literal text between them; Jinjava then runs with trimming off.
 *
 * <p>Tag bodies go through {@link PythonExpression}. {@code {% generation %}} blocks (transformers'
 * assistant-mask extension) render their body unchanged, so those tags are dropped.
 */
final class JinjaSource {

    /**
     * Jinjava source, for each of its lines the line of the Jinja2 source it came from, and the filters and
     * tests the template names (Jinja2 rejects unknown ones when compiling; Jinjava would silently skip them).
     */
    record Translated(String jinjava, int[] sourceLines, Set<String> filters, Set<String> tests) {
        int sourceLine(int jinjavaLine) {
            return jinjavaLine >= 1 && jinjavaLine <= sourceLines.length ? sourceLines[jinjavaLine - 1] : jinjavaLine;
        }
    }

    /** Source Jinja2 itself rejects (or this translator cannot follow), with its 1-based line. */
    static final class SyntaxError extends RuntimeException {
        final int line;

        SyntaxError(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    private static final Set<String> DROPPED_TAGS = Set.of("generation", "endgeneration");
    /** Tags that open a block closed by end + name (for is handled on its own). */
    private static final Set<String> BLOCKS = Set.of("for", "if", "macro", "call", "filter", "with", "autoescape",
            "block", "generation");
    static final String APPEND_FUNCTION = "__py_append__";
    private static final String LOOP_SEQUENCE_PREFIX = "__py_loop_";

    /** An open block; for a for loop, the variable holding its sequence and whether an else has started. */
    private record Block(String name, int open, String sequence, boolean hasElse) { }

    private final String src;
    private final int[] lineStarts;
    private final StringBuilder out = new StringBuilder();
    private final List<Integer> outLines = new ArrayList<>();
    private final Set<String> filters = new TreeSet<>();
    private final Set<String> tests = new TreeSet<>();
    private int pos;
    private boolean lineStarting = true;
    private int loops;
    private final Deque<Block> blocks = new ArrayDeque<>();

    private JinjaSource(String src) {
        this.src = src;
        List<Integer> starts = new ArrayList<>(List.of(0));
        for (int i = 0; i < src.length(); i++) if (src.charAt(i) == '\n') starts.add(i + 1);
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        outLines.add(1);
    }

    static Translated translate(String jinja2Source) {
        // Jinja2 reads \r\n and \r as \n everywhere, and (keep_trailing_newline=False) drops one final newline.
        String s = jinja2Source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        JinjaSource t = new JinjaSource(s);
        t.run();
        if (!t.blocks.isEmpty()) {
            Block unclosed = t.blocks.peek();
            throw t.error(unclosed.open(), "'" + unclosed.name() + "' is never closed (no 'end" + unclosed.name() + "')");
        }
        return new Translated(t.out.toString(), t.outLines.stream().mapToInt(Integer::intValue).toArray(),
                Set.copyOf(t.filters), Set.copyOf(t.tests));
    }

    // ------------------------------------------------------------------ template level: text, tags, whitespace

    private void run() {
        while (pos < src.length()) {
            int open = nextTagOpen(pos);
            if (open < 0) {
                emit(src.substring(pos), pos);
                return;
            }
            char kind = src.charAt(open + 1);
            char sign = signAt(open + 2);
            int rawBodyStart = kind == '%' ? rawBeginEnd(open) : -1;
            String text = src.substring(pos, open);
            if (sign == '-') {
                text = rstrip(text);
            } else if (sign != '+' && kind != '{') {
                text = lstripBlock(text); // lstrip_blocks: not for {{ }}
            }
            emit(text, pos);
            if (rawBodyStart >= 0) {
                raw(open, rawBodyStart);
            } else if (kind == '#') {
                comment(open, sign);
            } else {
                tag(open, kind, sign);
            }
        }
    }

    private int nextTagOpen(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    private char signAt(int i) {
        char c = i < src.length() ? src.charAt(i) : 0;
        return c == '-' || c == '+' ? c : 0;
    }

    /** lstrip_blocks: spaces between the start of the line and a block or comment tag are removed. */
    private String lstripBlock(String text) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart > 0 || lineStarting) && lineStart < text.length()) {
            for (int i = lineStart; i < text.length(); i++) if (!isPySpace(text.charAt(i))) return text;
            return text.substring(0, lineStart);
        }
        return text;
    }

    private void comment(int open, char sign) {
        int start = open + 2 + (sign != 0 ? 1 : 0);
        int end = src.indexOf("#}", start);
        if (end < 0) throw error(open, "missing end of comment tag");
        char endSign = end > start ? signAt(end - 1) : 0;
        pos = end + 2;
        afterBlockEnd(endSign);
    }

    /** After {@code %}} or {@code #}}: {@code -} strips all following whitespace, plain trims one newline. */
    private void afterBlockEnd(char endSign) {
        int from = pos;
        if (endSign == '-') {
            while (pos < src.length() && isPySpace(src.charAt(pos))) pos++;
        } else if (endSign != '+' && pos < src.length() && src.charAt(pos) == '\n') {
            pos++; // trim_blocks
        }
        lineStarting = pos > from && src.charAt(pos - 1) == '\n';
    }

    private void tag(int open, char kind, char sign) {
        int bodyStart = open + 2 + (sign != 0 ? 1 : 0);
        int closeAt = tagEnd(bodyStart, kind == '%' ? "%}" : "}}", open);
        char endSign = signAt(closeAt - 1);
        int bodyEnd = endSign != 0 && closeAt - 1 >= bodyStart ? closeAt - 1 : closeAt;
        String body = src.substring(bodyStart, bodyEnd);
        pos = closeAt + 2;
        if (kind == '%') {
            block(firstWord(body), body, open);
            afterBlockEnd(endSign);
        } else {
            if (endSign == '+') throw error(open, "unexpected '+' before '}}'");
            emitTag("{{" + spaced(rewrite(body, open, true)) + "}}", open);
            int from = pos;
            if (endSign == '-') while (pos < src.length() && isPySpace(src.charAt(pos))) pos++;
            lineStarting = pos > from && src.charAt(pos - 1) == '\n';
        }
    }

    /** A block tag: for loops are rewritten, generation tags dropped, the rest passed on. */
    private void block(String name, String body, int open) {
        switch (name) {
            case "for" -> forLoop(body, open);
            case "else" -> {
                Block innermost = blocks.peek();
                if (innermost != null && innermost.hasElse()) throw error(open, "a for loop has one 'else'");
                if (innermost != null && innermost.sequence() != null) {
                    blocks.pop();
                    blocks.push(new Block("for", innermost.open(), innermost.sequence(), true));
                    emitTag("{% endfor %}{% if not " + innermost.sequence() + " %}", open);
                } else {
                    emitTag("{% else %}", open);
                }
            }
            case "endfor" -> {
                Block loop = close("for", open);
                emitTag(loop.hasElse() ? "{% endif %}" : "{% endfor %}", open);
            }
            default -> {
                if (BLOCKS.contains(name) || (name.equals("set") && !body.contains("="))) { // {% set x %}...{% endset %}
                    blocks.push(new Block(name, open, null, false));
                } else if (name.equals("endset") || (name.startsWith("end") && BLOCKS.contains(name.substring(3)))) {
                    close(name.substring(3), open);
                }
                if (!DROPPED_TAGS.contains(name)) {
                    emitTag("{%" + spaced(rewrite(body, open, !name.equals("macro") && !name.equals("call"))) + "%}", open);
                }
            }
        }
    }

    private Block close(String name, int open) {
        if (blocks.isEmpty() || !blocks.peek().name().equals(name)) {
            throw error(open, "unexpected 'end" + name + "'" + (blocks.isEmpty() ? "" : ": '" + blocks.peek().name() + "' is open"));
        }
        return blocks.pop();
    }

    /**
     * A for loop as Jinja2 runs it. The sequence is kept in a variable so that {@code {% else %}} (which Jinjava
     * does not support: it renders the else part too) can test whether it was empty. With a filter
     * ({@code for x in items if cond}) the kept items are collected first, so that {@code loop.index},
     * {@code loop.last} and {@code else} see only them; Jinjava would ignore the filter.
     */
    private void forLoop(String body, int open) {
        PythonExpression.ForLoop loop;
        try {
            loop = PythonExpression.forLoop(body);
        } catch (IllegalArgumentException e) {
            throw error(open, e.getMessage());
        }
        if (loop == null) { // recursive: rare in chat templates, left to Jinjava (no else, no filter)
            blocks.push(new Block("for", open, null, false));
            emitTag("{%" + spaced(rewrite(body, open, true)) + "%}", open);
            return;
        }
        String sequence = LOOP_SEQUENCE_PREFIX + (++loops);
        String target = rewrite(loop.target(), open, true).strip();
        String items = rewrite(loop.iterable(), open, true).strip();
        if (loop.condition() == null) {
            emitTag("{% set " + sequence + " = " + items + " %}", open);
        } else {
            String item = target.contains(",") ? "[" + target + "]" : target;
            emitTag("{% set " + sequence + " = [] %}{% for " + target + " in " + items + " %}{% if "
                    + rewrite(loop.condition(), open, true).strip() + " %}{{ " + APPEND_FUNCTION + "(" + sequence + ", "
                    + item + ") }}{% endif %}{% endfor %}", open);
        }
        emitTag("{% for " + target + " in " + sequence + " %}", open);
        blocks.push(new Block("for", open, sequence, false));
    }

    private String rewrite(String body, int open, boolean wrapKeywordArguments) {
        try {
            String loopSequence = blocks.stream().filter(b -> b.name().equals("for")).findFirst().map(Block::sequence).orElse(null);
            PythonExpression.Rewritten r = PythonExpression.rewrite(body, wrapKeywordArguments, loopSequence);
            filters.addAll(r.filters());
            tests.addAll(r.tests());
            return r.text();
        } catch (IllegalArgumentException e) {
            throw error(open, e.getMessage());
        }
    }

    /** A tag body with whitespace at both ends, so that Jinjava never reads its '-' as whitespace control. */
    private static String spaced(String body) {
        boolean left = !body.isEmpty() && isPySpace(body.charAt(0));
        boolean right = !body.isEmpty() && isPySpace(body.charAt(body.length() - 1));
        return (left ? "" : " ") + body + (right ? "" : " ");
    }

    /** Index of the closing delimiter of a tag: outside strings and brackets, as Jinja2's lexer finds it. */
    private int tagEnd(int from, String close, int open) {
        int depth = 0;
        for (int i = from; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '\'' || c == '"') {
                i = PythonExpression.stringEnd(src, i);
                if (i < 0) throw error(open, "unterminated string literal");
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                depth--;
            } else if (depth == 0 && src.startsWith(close, i)) {
                return i;
            }
        }
        throw error(open, "missing end of tag '" + close + "'");
    }

    /** {@code {% raw %}} (not followed by a trimmed newline, as in Jinja2) up to {@code {% endraw %}}. */
    private int rawBeginEnd(int open) {
        int i = open + 2 + (signAt(open + 2) != 0 ? 1 : 0);
        while (i < src.length() && isPySpace(src.charAt(i))) i++;
        if (!src.startsWith("raw", i)) return -1;
        i += 3;
        while (i < src.length() && isPySpace(src.charAt(i))) i++;
        if (src.startsWith("-%}", i)) {
            i += 3;
            while (i < src.length() && isPySpace(src.charAt(i))) i++;
            return i;
        }
        return src.startsWith("%}", i) ? i + 2 : -1;
    }

    private void raw(int open, int bodyStart) {
        lineStarting = src.charAt(bodyStart - 1) == '\n';
        for (int i = src.indexOf("{%", bodyStart); i >= 0; i = src.indexOf("{%", i + 2)) {
            char sign = signAt(i + 2);
            int j = i + 2 + (sign != 0 ? 1 : 0);
            while (j < src.length() && isPySpace(src.charAt(j))) j++;
            if (!src.startsWith("endraw", j)) continue;
            j += 6;
            while (j < src.length() && isPySpace(src.charAt(j))) j++;
            char endSign = signAt(j);
            if (!src.startsWith("%}", j + (endSign != 0 ? 1 : 0))) continue;
            String text = src.substring(bodyStart, i);
            text = sign == '-' ? rstrip(text) : sign != '+' ? lstripBlock(text) : text;
            emitTag("{% raw %}", open);
            emit(text, bodyStart);
            emitTag("{% endraw %}", i);
            pos = j + (endSign != 0 ? 1 : 0) + 2;
            afterBlockEnd(endSign);
            return;
        }
        throw error(open, "missing end of raw directive");
    }

    private static String firstWord(String body) {
        int i = 0;
        while (i < body.length() && isPySpace(body.charAt(i))) i++;
        int start = i;
        while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) i++;
        return body.substring(start, i);
    }

    private void emit(String text, int srcIndex) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c);
            if (c == '\n') outLines.add(lineOf(srcIndex + i) + 1);
        }
    }

    private void emitTag(String tag, int srcIndex) {
        int line = lineOf(srcIndex);
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            out.append(c);
            if (c == '\n') outLines.add(++line);
        }
    }

    private int lineOf(int srcIndex) {
        int k = Arrays.binarySearch(lineStarts, srcIndex);
        return (k >= 0 ? k : -k - 2) + 1;
    }

    private SyntaxError error(int srcIndex, String message) {
        return new SyntaxError(lineOf(srcIndex), message);
    }

    /** Python's str.isspace(), which Jinja2's stripping follows (Java's isWhitespace misses NBSP and U+0085). */
    static boolean isPySpace(char c) {
        return Character.isWhitespace(c) || c == '\u00a0' || c == '\u0085' || c == '\u2007' || c == '\u202f';
    }

    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isPySpace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }
}
