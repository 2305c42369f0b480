package tale.core.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One tag body of a Jinja2 template, tokenised as Jinja2's lexer does and rewritten where Jinjava's parser reads
 * Python differently:
 * <ul>
 *   <li>slices {@code x[a:b:c]} become {@code __py_slice__(x, a, b, c)} (Jinjava has no step, and its
 *       ranges do not follow Python on strings and negative bounds);</li>
 *   <li>keyword arguments {@code f(k=v - 1)} become {@code f(k=(v - 1))} (Jinjava binds {@code =} tighter than
 *       {@code +}/{@code -}, so {@code namespace(last=messages|length - 1)} would compute {@code (last=...) - 1});</li>
 *   <li>string literals are decoded with Python's escapes (unicode, hex and octal ones too) and re-quoted
 *       with the only escapes Jinjava knows.</li>
 * </ul>
 * It also reports the filters and tests the body names. Malformed bodies raise IllegalArgumentException.
 */
final class PythonExpression {

    /** The Jinjava text of a body, and the filters and tests it uses. */
    record Rewritten(String text, Set<String> filters, Set<String> tests) { }

    static final String SLICE_FUNCTION = "__py_slice__";
    static final String ITEM_FUNCTION = "__py_item__";

    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "is", "if", "else", "elif", "for",
            "recursive", "with", "without", "context", "import", "as", "from", "set", "endset", "endif", "endfor");

    private enum Kind { SPACE, NAME, NUMBER, STRING, OP, OPEN, CLOSE }

    /** A token; {@code at} is where it starts in the body. */
    private record Token(Kind kind, String text, int at) {
        boolean is(Kind k, String t) {
            return kind == k && text.equals(t);
        }

        /** A value a subscript or call can follow: a name (not a keyword), a literal string, a closing bracket. */
        boolean endsOperand() {
            return (kind == Kind.NAME && !KEYWORDS.contains(text)) || kind == Kind.STRING || kind == Kind.CLOSE;
        }
    }

    private final List<Token> tokens = new ArrayList<>();
    private final boolean wrapKeywordArguments;
    private final String loopSequence;
    private final Set<String> filters = new TreeSet<>();
    private final Set<String> tests = new TreeSet<>();
    private int next;
    private int limit; // tokens from here on belong to an enclosing construct

    private PythonExpression(String body, boolean wrapKeywordArguments, String loopSequence) {
        this.wrapKeywordArguments = wrapKeywordArguments;
        this.loopSequence = loopSequence;
        tokenize(body);
        limit = tokens.size();
        recordFiltersAndTests();
    }

    /**
     * Rewrites a tag body. Keyword arguments are left as written where Jinjava parses the signature itself
     * ({@code {% macro f(x=1) %}}). {@code loopSequence} names the variable holding the sequence of the
     * innermost for loop (see JinjaSource), where {@code loop.previtem} and {@code loop.nextitem} are found, since
     * Jinjava's loop object has neither; null outside loops.
     */
    static Rewritten rewrite(String body, boolean wrapKeywordArguments, String loopSequence) {
        PythonExpression e = new PythonExpression(body, wrapKeywordArguments, loopSequence);
        return new Rewritten(e.sequence(null, false).get(0), Set.copyOf(e.filters), Set.copyOf(e.tests));
    }

    /** {@code for TARGET in ITERABLE [if CONDITION]}, the parts as written; condition null when absent. */
    record ForLoop(String target, String iterable, String condition) { }

    /** The parts of a for tag's body; null for a {@code recursive} loop, which is passed through unchanged. */
    static ForLoop forLoop(String body) {
        PythonExpression e = new PythonExpression(body, true, null);
        int depth = 0;
        int forAt = -1;
        int inAt = -1;
        int ifAt = -1;
        for (Token t : e.tokens) {
            if (t.kind() == Kind.OPEN) {
                depth++;
            } else if (t.kind() == Kind.CLOSE) {
                depth--;
            } else if (depth == 0 && t.kind() == Kind.NAME) {
                if (t.text().equals("recursive")) return null;
                if (forAt < 0 && t.text().equals("for")) forAt = t.at();
                else if (inAt < 0 && t.text().equals("in")) inAt = t.at();
                else if (inAt >= 0 && ifAt < 0 && t.text().equals("if")) ifAt = t.at(); // a loop's iterable has no "a if b else c"
            }
        }
        if (forAt < 0 || inAt < 0) throw new IllegalArgumentException("expected 'for TARGET in ITERABLE'");
        return new ForLoop(body.substring(forAt + 3, inAt), body.substring(inAt + 2, ifAt < 0 ? body.length() : ifAt),
                ifAt < 0 ? null : body.substring(ifAt + 2));
    }

    /** Index of the closing quote of the string literal opening at {@code start}, or -1. */
    static int stringEnd(String s, int start) {
        char quote = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') i++;
            else if (c == quote) return i;
        }
        return -1;
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

    private void tokenize(String body) {
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            int start = i;
            if (JinjaSource.isPySpace(c)) {
                while (i < body.length() && JinjaSource.isPySpace(body.charAt(i))) i++;
                tokens.add(new Token(Kind.SPACE, body.substring(start, i), start));
            } else if (c == '\'' || c == '"') {
                int end = stringEnd(body, i);
                if (end < 0) throw new IllegalArgumentException("unterminated string literal");
                i = end + 1;
                tokens.add(new Token(Kind.STRING, quoteForJinjava(decodePythonString(body.substring(start + 1, end))), start));
            } else if (Character.isDigit(c)) {
                i = numberEnd(body, i);
                tokens.add(new Token(Kind.NUMBER, body.substring(start, i).replace("_", ""), start));
            } else if (Character.isLetter(c) || c == '_') {
                while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) i++;
                tokens.add(new Token(Kind.NAME, body.substring(start, i), start));
            } else if ("([{".indexOf(c) >= 0) {
                tokens.add(new Token(Kind.OPEN, String.valueOf(c), start));
                i++;
            } else if (")]}".indexOf(c) >= 0) {
                tokens.add(new Token(Kind.CLOSE, String.valueOf(c), start));
                i++;
            } else {
                String two = body.substring(i, Math.min(i + 2, body.length()));
                String op = List.of("==", "!=", "<=", ">=", "//", "**").contains(two) ? two : String.valueOf(c);
                tokens.add(new Token(Kind.OP, op, start));
                i += op.length();
            }
        }
    }

    /** {@code loop.previtem} / {@code loop.nextitem} as an item of the loop's sequence (undefined past the ends). */
    private String loopNeighbour(Token t) {
        if (loopSequence == null || !t.is(Kind.NAME, "loop") || next + 1 >= limit || !tokens.get(next).is(Kind.OP, ".")) {
            return null;
        }
        Token attribute = tokens.get(next + 1);
        String offset = attribute.is(Kind.NAME, "previtem") ? " - 1" : attribute.is(Kind.NAME, "nextitem") ? " + 1" : null;
        if (offset == null) return null;
        next += 2;
        return ITEM_FUNCTION + "(" + loopSequence + ", loop.index0" + offset + ")";
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
                if (!t.text().equals(closer)) throw new IllegalArgumentException("unexpected '" + t.text() + "'");
                break;
            }
            next++;
            switch (t.kind()) {
                case SPACE -> b.append(t.text());
                case NAME, NUMBER, STRING -> {
                    boolean attribute = prev != null && prev.is(Kind.OP, ".");
                    if (!attribute) chainStart = t.kind() == Kind.NAME && KEYWORDS.contains(t.text()) ? -1 : b.length();
                    String neighbour = attribute ? null : loopNeighbour(t);
                    b.append(neighbour != null ? neighbour : t.text());
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
        if (closer == null && next < limit) throw new IllegalArgumentException("unexpected '" + tokens.get(next).text() + "'");
        if (closer != null && next >= limit) throw new IllegalArgumentException("missing '" + closer + "'");
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
                if (parts.size() > 3 || chainStart < 0) throw new IllegalArgumentException("unsupported slice");
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
            if (next >= limit) throw new IllegalArgumentException("missing ')'");
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
        if (end >= limit) throw new IllegalArgumentException("missing ')'");
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

    // ------------------------------------------------------------------ string literals

    /** The value of a Python string literal's body (Jinja2 decodes it with Python's "unicode-escape"). */
    private static String decodePythonString(String body) {
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
                        throw new IllegalArgumentException("truncated \\" + e + " escape in a string literal");
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
