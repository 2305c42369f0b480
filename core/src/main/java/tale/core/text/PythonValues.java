package tale.core.text;

import com.hubspot.jinjava.objects.SafeString;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Python's view of template values, as Jinja2 shows them: {@code str()} for output, {@code repr()} inside
 * containers, {@code json.dumps} for Hugging Face's {@code tojson}, and slicing. Jinjava would print
 * {@code true}, {@code [a, b]} and {@code 1.0E20} where Python prints {@code True}, {@code ['a', 'b']} and
 * {@code 1e+20}. Strings are sequences of code points, as in Python, not of UTF-16 units.
 */
final class PythonValues {

    private PythonValues() { }

    /**
     * {@code str(value)}. A missing value prints as nothing: Jinjava cannot tell Jinja2's Undefined (prints "")
     * from None (prints "None"), and undefined attributes are what templates print by accident.
     */
    static String str(Object value) {
        if (value == null) return "";
        if (isString(value)) return value.toString();
        return repr(value);
    }

    static String repr(Object value) {
        if (value == null) return "None";
        if (value instanceof Boolean b) return b ? "True" : "False";
        if (value instanceof Double || value instanceof Float) return floatRepr(((Number) value).doubleValue());
        if (value instanceof BigDecimal d) { // Jinjava's arithmetic: integral when computed from ints
            return d.scale() <= 0 ? d.toBigInteger().toString() : floatRepr(d.doubleValue());
        }
        if (value instanceof Number) return value.toString();
        if (value instanceof Map<?, ?> map) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (b.length() > 1) b.append(", ");
                b.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (value instanceof Collection<?> list) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : list) {
                if (b.length() > 1) b.append(", ");
                b.append(repr(o));
            }
            return b.append(']').toString();
        }
        if (isString(value)) {
            return stringRepr(value.toString());
        }
        return value.toString();
    }

    /** Python's repr of a str: single quotes unless the text holds ' and no ". */
    private static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(quote);
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (cp == quote) b.append('\\').append(quote);
                    else if (cp < 0x20 || cp == 0x7f) b.append(String.format("\\x%02x", cp));
                    else b.appendCodePoint(cp);
                }
            }
        });
        return b.append(quote).toString();
    }

    /** Python's repr of a float: shortest digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal v = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = v.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - v.scale(); // of the first digit
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = v.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }

    /** {@code list(value)}: a dict gives its keys, a string its characters; undefined gives []. */
    static List<Object> list(Object value) {
        if (value == null) return new ArrayList<>();
        if (value instanceof Map<?, ?> m) return new ArrayList<>(m.keySet());
        if (isString(value)) return new ArrayList<>(value.toString().codePoints().mapToObj(Character::toString).toList());
        if (value instanceof Collection<?> c) return new ArrayList<>(c);
        if (value instanceof Object[] array) return new ArrayList<>(Arrays.asList(array)); // Jinjava's map filter
        throw new IllegalArgumentException("'" + typeName(value) + "' object is not iterable");
    }

    /** {@code dict.items()}: (key, value) pairs, which {@code for k, v in ...} unpacks. */
    static List<List<Object>> items(Map<?, ?> map) {
        List<List<Object>> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) out.add(Arrays.asList(e.getKey(), e.getValue()));
        return out;
    }

    // ------------------------------------------------------------------ slicing

    /** {@code value[start:stop:step]} for a string (by code point) or a list; None bounds are open. */
    static Object slice(Object value, Object start, Object stop, Object step) {
        if (value == null) return null;
        long st = step == null ? 1 : integer(step, "slice step");
        if (st == 0) throw new IllegalArgumentException("slice step cannot be zero");
        if (isString(value)) {
            int[] cps = value.toString().codePoints().toArray();
            StringBuilder b = new StringBuilder();
            for (long i : indices(cps.length, start, stop, st)) b.appendCodePoint(cps[(int) i]);
            return b.toString();
        }
        if (value instanceof Collection<?> c) {
            List<?> list = new ArrayList<>(c);
            List<Object> out = new ArrayList<>();
            for (long i : indices(list.size(), start, stop, st)) out.add(list.get((int) i));
            return out;
        }
        throw new IllegalArgumentException("'" + typeName(value) + "' object is not subscriptable");
    }

    /** The positions {@code range(*slice(start, stop, step).indices(length))} visits. */
    private static List<Long> indices(int length, Object start, Object stop, long step) {
        long lower = step > 0 ? 0 : -1;
        long upper = step > 0 ? length : length - 1;
        long from = start == null ? (step > 0 ? lower : upper) : clamp(integer(start, "slice start"), length, lower, upper);
        long to = stop == null ? (step > 0 ? upper : lower) : clamp(integer(stop, "slice stop"), length, lower, upper);
        List<Long> out = new ArrayList<>();
        for (long i = from; step > 0 ? i < to : i > to; i += step) out.add(i);
        return out;
    }

    private static long clamp(long index, int length, long lower, long upper) {
        return index < 0 ? Math.max(index + length, lower) : Math.min(index, upper);
    }

    static long integer(Object o, String what) {
        if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) return ((Number) o).longValue();
        if (o instanceof Boolean b) return b ? 1 : 0;
        throw new IllegalArgumentException(what + " must be an integer, not '" + typeName(o) + "'");
    }

    /** Python's bool(): None, False, 0, "" and empty containers are false. */
    static boolean truthy(Object o) {
        if (o == null) return false;
        if (o instanceof Boolean b) return b;
        if (o instanceof Number n) return n.doubleValue() != 0;
        if (isString(o)) return !o.toString().isEmpty();
        if (o instanceof Collection<?> c) return !c.isEmpty();
        if (o instanceof Map<?, ?> m) return !m.isEmpty();
        return true;
    }

    static boolean isString(Object o) {
        return o instanceof CharSequence || o instanceof SafeString;
    }

    static String typeName(Object o) {
        if (o == null) return "NoneType";
        if (isString(o)) return "str";
        if (o instanceof Boolean) return "bool";
        if (o instanceof Double || o instanceof Float || o instanceof BigDecimal) return "float";
        if (o instanceof Number) return "int";
        if (o instanceof Map) return "dict";
        if (o instanceof Collection) return "list";
        return o.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ json.dumps

    /** Options of {@code json.dumps} that Hugging Face's {@code tojson} filter passes through. */
    record JsonOptions(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys) { }

    /** {@code json.dumps(value, ...)}: Python's separators and escapes, keys in insertion order unless sorted. */
    static String toJson(Object value, JsonOptions options) {
        StringBuilder b = new StringBuilder();
        writeJson(b, value, options, 0);
        return b.toString();
    }

    private static void writeJson(StringBuilder b, Object value, JsonOptions o, int level) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof Boolean bool) {
            b.append(bool ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            double d = ((Number) value).doubleValue();
            b.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d));
        } else if (value instanceof Number) {
            b.append(value);
        } else if (value instanceof Map<?, ?> map) {
            Map<?, ?> entries = o.sortKeys() ? new TreeMap<>(map) : map;
            if (entries.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                if (!first) b.append(o.itemSeparator());
                first = false;
                newline(b, o, level + 1);
                writeString(b, jsonKey(e.getKey()), o.ensureAscii());
                b.append(o.keySeparator());
                writeJson(b, e.getValue(), o, level + 1);
            }
            newline(b, o, level);
            b.append('}');
        } else if (value instanceof Collection<?> list) {
            if (list.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) b.append(o.itemSeparator());
                first = false;
                newline(b, o, level + 1);
                writeJson(b, item, o, level + 1);
            }
            newline(b, o, level);
            b.append(']');
        } else {
            writeString(b, value.toString(), o.ensureAscii());
        }
    }

    /** Python converts dict keys that are not strings: True -> "true", None -> "null", 1 -> "1". */
    private static String jsonKey(Object key) {
        if (key == null) return "null";
        if (key instanceof Boolean bool) return bool ? "true" : "false";
        if (key instanceof Double || key instanceof Float) return floatRepr(((Number) key).doubleValue());
        return key.toString();
    }

    private static void newline(StringBuilder b, JsonOptions o, int level) {
        if (o.indent() == null) return;
        b.append('\n');
        for (int i = 0; i < level; i++) b.append(o.indent());
    }

    private static void writeString(StringBuilder b, String s, boolean ensureAscii) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
