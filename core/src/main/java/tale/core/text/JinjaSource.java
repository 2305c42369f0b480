package tale.core.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Translates Jinja2 template source, as Hugging Face compiles it ({@code trim_blocks=True, lstrip_blocks=True},
 * default {@code keep_trailing_newline=False}), into Jinjava source that renders the same text. Jinjava's own
 * whitespace handling differs from Jinja2's in corner cases (its {@code -}} } trims both sides of the next text,
 * comments eat a space), so this class applies Jinja2's lexer rules itself and hands Jinjava plain
 * {@code {{ }}} and {@code {% %}} tags with the literal text between them; Jinjava then runs with trimming off.
 *
 * <p>Inside tags it rewrites the few Python expressions Jinjava's parser reads differently:
 * <ul>
 *   <li>slices {@code x[a:b:c]} become {@code __py_slice__(x, a, b, c)} (Jinjava has no step, and its
 *       ranges do not follow Python on strings and negative bounds);</li>
 *   <li>keyword arguments {@code f(k=v - 1)} become {@code f(k=(v - 1))} (Jinjava binds {@code =} tighter than
 *       {@code +}/{@code -}, so {@code namespace(last=messages|length - 1)} would compute {@code (last=...) - 1});</li>
 *   <li>string literals are decoded with Python's escapes ({@code \u00e9}, {@code \x41}, ...) and re-quoted
 *       with the escapes Jinjava knows;</li>
 *   <li>{@code {% generation %}} blocks (transformers' assistant-mask extension) render their body unchanged,
 *       so the tags are dropped.</li>
 * </ul>
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

    static final String SLICE_FUNCTION = "__py_slice__";

    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "is", "if", "else", "elif", "for",
            "recursive", "with", "without", "context", "import", "as", "from", "set", "endset", "endif", "endfor");
    private static final Set<String> DROPPED_TAGS = Set.of("generation", "endgeneration");

    private final String src;
    private final int[] lineStarts;
    private final StringBuilder out = new StringBuilder();
    private final List<Integer> outLines = new ArrayList<>();
    private final Set<String> filters = new TreeSet<>();
    private final Set<String> tests = new TreeSet<>();
    private int pos;
    private boolean lineStarting = true;

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
        lineStarting = pos > from ? src.charAt(pos - 1) == '\n' : false;
    }

    private void tag(int open, char kind, char sign) {
        int bodyStart = open + 2 + (sign != 0 ? 1 : 0);
        int closeAt = tagEnd(bodyStart, kind == '%' ? "%}" : "}}", open);
        char endSign = signAt(closeAt - 1);
        int bodyEnd = endSign != 0 && closeAt - 1 >= bodyStart ? closeAt - 1 : closeAt;
        String body = src.substring(bodyStart, bodyEnd);
        pos = closeAt + 2;
        if (kind == '%') {
            String name = firstWord(body);
            if (!DROPPED_TAGS.contains(name)) {
                String rewritten = new Expression(body, open, !name.equals("macro") && !name.equals("call")).rewrite();
                emitTag("{%" + spaced(rewritten) + "%}", open);
            }
            afterBlockEnd(endSign);
        } else {
            if (endSign == '+') throw error(open, "unexpected '+' before '}}'");
            emitTag("{{" + spaced(new Expression(body, open, true).rewrite()) + "}}", open);
            int from = pos;
            if (endSign == '-') while (pos < src.length() && isPySpace(src.charAt(pos))) pos++;
            lineStarting = pos > from && src.charAt(pos - 1) == '\n';
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
                i = stringEnd(src, i, open);
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

    /** Index of the closing quote of the string literal opening at {@code start}. */
    private int stringEnd(String s, int start, int tagOpen) {
        char quote = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') i++;
            else if (c == quote) return i;
        }
        throw error(tagOpen, "unterminated string literal");
    }

    // ------------------------------------------------------------------ expression level

    private enum Kind { SPACE, NAME, NUMBER, STRING, OP, OPEN, CLOSE }

    private record Token(Kind kind, String text) {
        boolean is(Kind k, String t) {
            return kind == k && text.equals(t);
        }

        /** A value a subscript or call can follow: a name (not a keyword), a literal string, a closing bracket. */
        boolean endsOperand() {
            return (kind == Kind.NAME && !KEYWORDS.contains(text)) || kind == Kind.STRING || kind == Kind.CLOSE;
        }
    }

    /** One tag body: tokenised like Jinja2's lexer does, then rewritten token by token. */
    private final class Expression {
        private final List<Token> tokens = new ArrayList<>();
        private final int tagOpen;
        private final boolean wrapKeywordArguments;
        private int next;
        private int limit; // tokens from here on belong to an enclosing construct

        Expression(String body, int tagOpen, boolean wrapKeywordArguments) {
            this.tagOpen = tagOpen;
            this.wrapKeywordArguments = wrapKeywordArguments;
            tokenize(body);
            limit = tokens.size();
            recordFiltersAndTests();
        }

        private void recordFiltersAndTests() {
            Token prev = null;
            Token beforePrev = null;
            for (Token t : tokens) {
                if (t.kind() == Kind.SPACE) continue;
                if (t.kind() == Kind.NAME && prev != null) {
                    if (prev.is(Kind.OP, "|")) filters.add(t.text());
                    boolean afterIs = prev.is(Kind.NAME, "is")
                            || (prev.is(Kind.NAME, "not") && beforePrev != null && beforePrev.is(Kind.NAME, "is"));
                    if (afterIs && !t.text().equals("not")) tests.add(t.text());
                }
                beforePrev = prev;
                prev = t;
            }
        }

        String rewrite() {
            String s = sequence(null, false).get(0);
            return s;
        }

        private void tokenize(String body) {
            int i = 0;
            while (i < body.length()) {
                char c = body.charAt(i);
                int start = i;
                if (isPySpace(c)) {
                    while (i < body.length() && isPySpace(body.charAt(i))) i++;
                    tokens.add(new Token(Kind.SPACE, body.substring(start, i)));
                } else if (c == '\'' || c == '"') {
                    i = stringEnd(body, i, tagOpen) + 1;
                    tokens.add(new Token(Kind.STRING, quoteForJinjava(decodePythonString(body.substring(start + 1, i - 1), tagOpen))));
                } else if (Character.isDigit(c)) {
                    i = numberEnd(body, i);
                    tokens.add(new Token(Kind.NUMBER, body.substring(start, i).replace("_", "")));
                } else if (Character.isLetter(c) || c == '_') {
                    while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) i++;
                    tokens.add(new Token(Kind.NAME, body.substring(start, i)));
                } else if ("([{".indexOf(c) >= 0) {
                    tokens.add(new Token(Kind.OPEN, String.valueOf(c)));
                    i++;
                } else if (")]}".indexOf(c) >= 0) {
                    tokens.add(new Token(Kind.CLOSE, String.valueOf(c)));
                    i++;
                } else {
                    String two = body.substring(i, Math.min(i + 2, body.length()));
                    String op = List.of("==", "!=", "<=", ">=", "//", "**").contains(two) ? two : String.valueOf(c);
                    tokens.add(new Token(Kind.OP, op));
                    i += op.length();
                }
            }
        }

        private int numberEnd(String s, int i) {
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
            if (i + 1 < s.length() && s.charAt(i) == '.' && Character.isDigit(s.charAt(i + 1))) {
                i++;
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                int j = i + 1;
                if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) j++;
                if (j < s.length() && Character.isDigit(s.charAt(j))) {
                    i = j;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                }
            }
            return i;
        }

        /**
         * Rewrites tokens up to the closing bracket {@code closer} (not consumed; null: the end). With
         * {@code splitColons} the result is split at top-level colons (the parts of a slice), else one part.
         */
        private List<String> sequence(String closer, boolean splitColons) {
            List<String> parts = new ArrayList<>();
            StringBuilder b = new StringBuilder();
            int chainStart = -1; // where the operand that a following [..] or (..) applies to begins in b
            Token prev = null;
            while (next < limit) {
                Token t = tokens.get(next);
                if (t.kind() == Kind.CLOSE) {
                    if (!t.text().equals(closer)) throw error(tagOpen, "unexpected '" + t.text() + "'");
                    break;
                }
                next++;
                switch (t.kind()) {
                    case SPACE -> b.append(t.text());
                    case NAME, NUMBER, STRING -> {
                        boolean attribute = prev != null && prev.is(Kind.OP, ".");
                        if (!attribute) chainStart = t.kind() == Kind.NAME && KEYWORDS.contains(t.text()) ? -1 : b.length();
                        b.append(t.text());
                    }
                    case OP -> {
                        if (splitColons && t.text().equals(":")) {
                            parts.add(b.toString());
                            b.setLength(0);
                            chainStart = -1;
                        } else {
                            if (!t.text().equals(".")) chainStart = -1;
                            b.append(t.text());
                        }
                    }
                    case OPEN -> chainStart = open(t, prev, b, chainStart);
                    default -> throw new IllegalStateException();
                }
                if (t.kind() != Kind.SPACE) prev = t;
            }
            if (closer == null && next < limit) throw error(tagOpen, "unexpected '" + tokens.get(next).text() + "'");
            if (closer != null && next >= limit) throw error(tagOpen, "missing '" + closer + "'");
            parts.add(b.toString());
            return parts;
        }

        private int open(Token t, Token prev, StringBuilder b, int chainStart) {
            boolean follows = prev != null && prev.endsOperand();
            switch (t.text()) {
                case "(" -> {
                    if (follows) {
                        b.append('(').append(arguments()).append(')');
                        return chainStart;
                    }
                    int start = b.length();
                    b.append('(').append(group(")")).append(')');
                    return start;
                }
                case "[" -> {
                    if (!follows) {
                        int start = b.length();
                        b.append('[').append(group("]")).append(']');
                        return start;
                    }
                    List<String> parts = sequence("]", true);
                    next++; // ']'
                    if (parts.size() == 1) {
                        b.append('[').append(parts.get(0)).append(']');
                        return chainStart;
                    }
                    if (parts.size() > 3 || chainStart < 0) throw error(tagOpen, "unsupported slice");
                    String base = b.substring(chainStart);
                    b.setLength(chainStart);
                    b.append(SLICE_FUNCTION).append('(').append(base);
                    for (int i = 0; i < 3; i++) {
                        String p = i < parts.size() ? parts.get(i).strip() : "";
                        b.append(", ").append(p.isEmpty() ? "none" : p);
                    }
                    b.append(')');
                    return chainStart;
                }
                default -> { // '{': a dict literal
                    int start = b.length();
                    b.append('{').append(group("}")).append('}');
                    return start;
                }
            }
        }

        private String group(String closer) {
            String s = sequence(closer, false).get(0);
            next++;
            return s;
        }

        /** Call arguments, with each keyword argument's value parenthesised. */
        private String arguments() {
            StringBuilder b = new StringBuilder();
            boolean first = true;
            while (true) {
                int argStart = next;
                String keyword = keywordAt(argStart);
                if (keyword != null) {
                    while (!tokens.get(next).is(Kind.OP, "=")) next++;
                    next++;
                }
                String value = argument();
                if (!first) b.append(',');
                first = false;
                if (keyword == null) {
                    b.append(value);
                } else if (wrapKeywordArguments) {
                    b.append(keyword).append("=(").append(value.strip()).append(')');
                } else {
                    b.append(keyword).append('=').append(value);
                }
                if (next >= limit) throw error(tagOpen, "missing ')'");
                Token t = tokens.get(next++);
                if (t.is(Kind.CLOSE, ")")) return b.toString();
            }
        }

        /** One argument: tokens up to a top-level ',' or ')' (left unconsumed). */
        private String argument() {
            int depth = 0;
            int end = next;
            for (; end < limit; end++) {
                Token t = tokens.get(end);
                if (t.kind() == Kind.OPEN) depth++;
                else if (t.kind() == Kind.CLOSE && depth-- == 0) break;
                else if (depth == 0 && t.is(Kind.OP, ",")) break;
            }
            if (end >= limit) throw error(tagOpen, "missing ')'");
            int enclosing = limit;
            limit = end;
            String s = sequence(null, false).get(0);
            limit = enclosing;
            return s;
        }

        private String keywordAt(int i) {
            int j = i;
            while (j < limit && tokens.get(j).kind() == Kind.SPACE) j++;
            if (j >= limit || tokens.get(j).kind() != Kind.NAME) return null;
            String name = tokens.get(j).text();
            j++;
            while (j < limit && tokens.get(j).kind() == Kind.SPACE) j++;
            return j < limit && tokens.get(j).is(Kind.OP, "=") ? name : null;
        }
    }

    // ------------------------------------------------------------------ string literals

    /** The value of a Python string literal's body (Jinja2 decodes it with Python's "unicode-escape"). */
    private String decodePythonString(String body, int tagOpen) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                b.append(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case '\n' -> { } // line continuation
                case '\\', '\'', '"' -> b.append(e);
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    String hex = body.substring(i + 1, Math.min(body.length(), i + 1 + n));
                    if (hex.length() != n || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
                        throw error(tagOpen, "truncated \\" + e + " escape in a string literal");
                    }
                    b.appendCodePoint(Integer.parseInt(hex, 16));
                    i += n;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int j = i;
                        while (j < body.length() && j < i + 3 && body.charAt(j) >= '0' && body.charAt(j) <= '7') j++;
                        b.append((char) Integer.parseInt(body.substring(i, j), 8));
                        i = j - 1;
                    } else {
                        b.append('\\').append(e); // Python keeps unknown escapes as written
                    }
                }
            }
        }
        return b.toString();
    }

    /** A Jinjava string literal for {@code value}: Jinjava reads \\, \', \n and \t; everything else is literal. */
    static String quoteForJinjava(String value) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.append('\'').toString();
    }
}
