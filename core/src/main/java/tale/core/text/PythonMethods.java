package tale.core.text;

import com.hubspot.jinjava.el.ext.NamedParameter;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ELResolver;

/**
 * Python's methods on template values: chat templates call {@code content.startswith('<think>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}, {@code tool.items()}. Jinjava would call Java's methods
 * instead ({@code String.split} takes a regular expression) or find none. Every method call on a string, list,
 * dict, number or boolean is answered here, so templates never reach Java methods; like Hugging Face's
 * {@code ImmutableSandboxedEnvironment}, methods that modify a list or dict are refused. Also answers
 * {@code text[i]} with Python's negative indices, by code point.
 */
final class PythonMethods extends ELResolver {

    private static final Set<String> MUTATING_LIST = Set.of("append", "extend", "insert", "pop", "remove", "reverse",
            "sort", "clear", "__setitem__", "__delitem__");
    private static final Set<String> MUTATING_DICT = Set.of("clear", "pop", "popitem", "setdefault", "update",
            "__setitem__", "__delitem__");

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (PythonValues.isString(base) && property != null) {
            Long index = asIndex(property);
            if (index != null) {
                context.setPropertyResolved(true);
                int[] cps = base.toString().codePoints().toArray();
                long i = index < 0 ? index + cps.length : index;
                return i >= 0 && i < cps.length ? new String(cps, (int) i, 1) : null; // Jinja2: out of range is undefined
            }
        }
        return null;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null) return null;
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        for (Object a : args) {
            if (a instanceof NamedParameter p) {
                throw new ELException(PythonValues.typeName(base) + "." + name + "(): keyword argument '" + p.getName()
                        + "' is not supported");
            }
        }
        Object result;
        if (PythonValues.isString(base)) {
            result = StringMethods.call(base.toString(), name, args);
        } else if (base instanceof Map<?, ?> map) {
            result = dictMethod(map, name, args);
        } else if (base instanceof List<?> list) {
            result = listMethod(list, name, args);
        } else if (base instanceof Number || base instanceof Boolean) {
            throw noAttribute(base, name);
        } else {
            return null; // Jinjava's own objects: filters, tests, macros, the loop
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static Object dictMethod(Map<?, ?> map, String name, Object[] args) {
        if (MUTATING_DICT.contains(name)) throw unsafe(map, name);
        return switch (name) {
            case "items" -> {
                arity(map, name, args, 0, 0);
                yield PythonValues.items(map);
            }
            case "keys" -> {
                arity(map, name, args, 0, 0);
                yield new ArrayList<>(map.keySet());
            }
            case "values" -> {
                arity(map, name, args, 0, 0);
                yield new ArrayList<>(map.values());
            }
            case "get" -> {
                arity(map, name, args, 1, 2);
                yield map.containsKey(args[0]) ? map.get(args[0]) : args.length > 1 ? args[1] : null;
            }
            case "copy" -> {
                arity(map, name, args, 0, 0);
                yield new LinkedHashMap<>(map);
            }
            default -> throw noAttribute(map, name);
        };
    }

    private static Object listMethod(List<?> list, String name, Object[] args) {
        if (MUTATING_LIST.contains(name)) throw unsafe(list, name);
        return switch (name) {
            case "index" -> {
                arity(list, name, args, 1, 1);
                int i = list.indexOf(args[0]);
                if (i < 0) throw new ELException(PythonValues.repr(args[0]) + " is not in list");
                yield (long) i;
            }
            case "count" -> {
                arity(list, name, args, 1, 1);
                yield list.stream().filter(o -> Objects.equals(o, args[0])).count();
            }
            case "copy" -> {
                arity(list, name, args, 0, 0);
                yield new ArrayList<>(list);
            }
            default -> throw noAttribute(list, name);
        };
    }

    static void arity(Object base, String name, Object[] args, int min, int max) {
        if (args.length < min || args.length > max) {
            String expected = min == max ? String.valueOf(min) : min + " to " + max;
            throw new ELException(PythonValues.typeName(base) + "." + name + "() takes " + expected + " arguments ("
                    + args.length + " given)");
        }
    }

    static ELException noAttribute(Object base, String name) {
        return new ELException("'" + PythonValues.typeName(base) + "' object has no attribute '" + name + "'");
    }

    private static ELException unsafe(Object base, String name) {
        return new ELException("access to attribute '" + name + "' of '" + PythonValues.typeName(base)
                + "' object is unsafe (templates may not modify their inputs)");
    }

    private static Long asIndex(Object property) {
        if (property instanceof Long || property instanceof Integer) return ((Number) property).longValue();
        if (property instanceof String s && !s.isEmpty() && s.matches("-?\\d{1,18}")) return Long.parseLong(s);
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) { }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    /** Python's str methods, on code points. */
    static final class StringMethods {

        private StringMethods() { }

        static Object call(String s, String name, Object[] a) {
            return switch (name) {
                case "strip" -> strip(s, chars(s, name, a), true, true);
                case "lstrip" -> strip(s, chars(s, name, a), true, false);
                case "rstrip" -> strip(s, chars(s, name, a), false, true);
                case "split" -> split(s, separator(s, name, a), maxsplit(s, name, a));
                case "rsplit" -> rsplit(s, separator(s, name, a), maxsplit(s, name, a));
                case "splitlines" -> {
                    arity(s, name, a, 0, 0);
                    yield splitlines(s);
                }
                case "startswith", "endswith" -> {
                    arity(s, name, a, 1, 3);
                    String region = region(s, a);
                    boolean starts = name.equals("startswith");
                    boolean found = false;
                    for (Object p : a[0] instanceof Collection<?> c ? c : List.of(a[0])) {
                        String affix = string(s, name, p);
                        found |= starts ? region.startsWith(affix) : region.endsWith(affix);
                    }
                    yield found;
                }
                case "upper" -> noArgs(s, name, a, s.toUpperCase(Locale.ROOT));
                case "lower", "casefold" -> noArgs(s, name, a, s.toLowerCase(Locale.ROOT));
                case "title" -> noArgs(s, name, a, title(s));
                case "capitalize" -> noArgs(s, name, a, capitalize(s));
                case "swapcase" -> noArgs(s, name, a, swapcase(s));
                case "replace" -> {
                    arity(s, name, a, 2, 3);
                    yield replace(s, string(s, name, a[0]), string(s, name, a[1]),
                            a.length > 2 ? PythonValues.integer(a[2], "count") : -1);
                }
                case "find", "index" -> {
                    arity(s, name, a, 1, 1);
                    int i = s.indexOf(string(s, name, a[0]));
                    yield position(s, i, name.equals("index"));
                }
                case "rfind", "rindex" -> {
                    arity(s, name, a, 1, 1);
                    int i = s.lastIndexOf(string(s, name, a[0]));
                    yield position(s, i, name.equals("rindex"));
                }
                case "count" -> {
                    arity(s, name, a, 1, 1);
                    yield count(s, string(s, name, a[0]));
                }
                case "join" -> {
                    arity(s, name, a, 1, 1);
                    if (!(a[0] instanceof Collection<?> items)) throw new ELException("can only join an iterable");
                    yield items.stream().map(o -> string(s, name, o)).collect(Collectors.joining(s));
                }
                case "partition", "rpartition" -> {
                    arity(s, name, a, 1, 1);
                    String sep = string(s, name, a[0]);
                    int i = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                    if (i < 0) yield name.equals("partition") ? List.of(s, "", "") : List.of("", "", s);
                    yield List.of(s.substring(0, i), sep, s.substring(i + sep.length()));
                }
                case "removeprefix" -> {
                    arity(s, name, a, 1, 1);
                    String p = string(s, name, a[0]);
                    yield s.startsWith(p) ? s.substring(p.length()) : s;
                }
                case "removesuffix" -> {
                    arity(s, name, a, 1, 1);
                    String p = string(s, name, a[0]);
                    yield s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
                }
                case "isdigit", "isdecimal", "isnumeric" -> noArgs(s, name, a, all(s, Character::isDigit));
                case "isalpha" -> noArgs(s, name, a, all(s, Character::isLetter));
                case "isalnum" -> noArgs(s, name, a, all(s, Character::isLetterOrDigit));
                case "isspace" -> noArgs(s, name, a, all(s, cp -> cp < 0x10000 && JinjaSource.isPySpace((char) cp)));
                case "islower" -> noArgs(s, name, a, cased(s, Character::isLowerCase));
                case "isupper" -> noArgs(s, name, a, cased(s, Character::isUpperCase));
                default -> throw noAttribute(s, name);
            };
        }

        private static Object noArgs(String s, String name, Object[] a, Object result) {
            arity(s, name, a, 0, 0);
            return result;
        }

        private static String string(String s, String name, Object o) {
            if (!PythonValues.isString(o)) {
                throw new ELException("str." + name + "(): expected str, got '" + PythonValues.typeName(o) + "'");
            }
            return o.toString();
        }

        /** The characters strip() removes: whitespace when none are given. */
        private static IntPredicate chars(String s, String name, Object[] a) {
            arity(s, name, a, 0, 1);
            if (a.length == 0 || a[0] == null) return cp -> cp < 0x10000 && JinjaSource.isPySpace((char) cp);
            Set<Integer> set = string(s, name, a[0]).codePoints().boxed().collect(Collectors.toSet());
            return set::contains;
        }

        private static String strip(String s, IntPredicate remove, boolean left, boolean right) {
            int[] cps = s.codePoints().toArray();
            int from = 0;
            int to = cps.length;
            while (left && from < to && remove.test(cps[from])) from++;
            while (right && to > from && remove.test(cps[to - 1])) to--;
            return new String(cps, from, to - from);
        }

        private static String separator(String s, String name, Object[] a) {
            arity(s, name, a, 0, 2);
            if (a.length == 0 || a[0] == null) return null;
            String sep = string(s, name, a[0]);
            if (sep.isEmpty()) throw new ELException("empty separator");
            return sep;
        }

        private static long maxsplit(String s, String name, Object[] a) {
            return a.length > 1 ? PythonValues.integer(a[1], "maxsplit") : -1;
        }

        private static List<String> split(String s, String sep, long maxsplit) {
            List<String> out = new ArrayList<>();
            if (sep == null) {
                int i = 0;
                int n = s.length();
                while (true) {
                    while (i < n && JinjaSource.isPySpace(s.charAt(i))) i++;
                    if (i >= n) return out;
                    if (maxsplit >= 0 && out.size() == maxsplit) {
                        out.add(JinjaSource.rstrip(s.substring(i)));
                        return out;
                    }
                    int j = i;
                    while (j < n && !JinjaSource.isPySpace(s.charAt(j))) j++;
                    out.add(s.substring(i, j));
                    i = j;
                }
            }
            int from = 0;
            for (int i = s.indexOf(sep); i >= 0 && (maxsplit < 0 || out.size() < maxsplit); i = s.indexOf(sep, from)) {
                out.add(s.substring(from, i));
                from = i + sep.length();
            }
            out.add(s.substring(from));
            return out;
        }

        private static List<String> rsplit(String s, String sep, long maxsplit) {
            if (maxsplit < 0) return split(s, sep, -1);
            List<String> out = new ArrayList<>();
            if (sep == null) {
                int j = s.length();
                while (true) {
                    while (j > 0 && JinjaSource.isPySpace(s.charAt(j - 1))) j--;
                    if (j <= 0) break;
                    if (out.size() == maxsplit) {
                        int start = 0;
                        while (JinjaSource.isPySpace(s.charAt(start))) start++;
                        out.add(0, s.substring(start, j));
                        break;
                    }
                    int i = j;
                    while (i > 0 && !JinjaSource.isPySpace(s.charAt(i - 1))) i--;
                    out.add(0, s.substring(i, j));
                    j = i;
                }
                return out;
            }
            int to = s.length();
            for (int i = s.lastIndexOf(sep, to - sep.length()); i >= 0 && out.size() < maxsplit;
                 i = s.lastIndexOf(sep, to - sep.length())) {
                out.add(0, s.substring(i + sep.length(), to));
                to = i;
            }
            out.add(0, s.substring(0, to));
            return out;
        }

        private static List<String> splitlines(String s) {
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if ("\n\r\u000b\f\u001c\u001d\u001e\u0085\u2028\u2029".indexOf(c) < 0) continue;
                out.add(s.substring(start, i));
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
                start = i + 1;
            }
            if (start < s.length()) out.add(s.substring(start));
            return out;
        }

        /** s[start:end] for startswith/endswith's optional bounds. */
        private static String region(String s, Object[] a) {
            if (a.length == 1) return s;
            return (String) PythonValues.slice(s, a[1], a.length > 2 ? a[2] : null, null);
        }

        private static String replace(String s, String old, String with, long count) {
            StringBuilder b = new StringBuilder();
            if (old.isEmpty()) { // Python inserts `with` around every code point
                int[] cps = s.codePoints().toArray();
                long done = 0;
                for (int cp : cps) {
                    if (count < 0 || done++ < count) b.append(with);
                    b.appendCodePoint(cp);
                }
                if (count < 0 || done < count) b.append(with);
                return b.toString();
            }
            int from = 0;
            long done = 0;
            for (int i = s.indexOf(old); i >= 0 && (count < 0 || done < count); i = s.indexOf(old, from)) {
                b.append(s, from, i).append(with);
                from = i + old.length();
                done++;
            }
            return b.append(s.substring(from)).toString();
        }

        private static long position(String s, int utf16Index, boolean raise) {
            if (utf16Index < 0 && raise) throw new ELException("substring not found");
            return utf16Index < 0 ? -1 : s.codePointCount(0, utf16Index);
        }

        private static long count(String s, String sub) {
            if (sub.isEmpty()) return s.codePointCount(0, s.length()) + 1;
            long n = 0;
            for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
            return n;
        }

        private static boolean all(String s, IntPredicate p) {
            return !s.isEmpty() && s.codePoints().allMatch(p);
        }

        /** islower/isupper: at least one cased character, and every cased one passes. */
        private static boolean cased(String s, IntPredicate p) {
            IntPredicate isCased = cp -> Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            return s.codePoints().anyMatch(isCased) && s.codePoints().filter(isCased).allMatch(p);
        }

        private static String title(String s) {
            StringBuilder b = new StringBuilder();
            boolean previousCased = false;
            for (int cp : s.codePoints().toArray()) {
                b.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
                previousCased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            }
            return b.toString();
        }

        private static String capitalize(String s) {
            if (s.isEmpty()) return s;
            int first = s.codePointAt(0);
            return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                    .append(s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT)).toString();
        }

        private static String swapcase(String s) {
            StringBuilder b = new StringBuilder();
            s.codePoints().forEach(cp -> b.appendCodePoint(Character.isUpperCase(cp) ? Character.toLowerCase(cp)
                    : Character.isLowerCase(cp) ? Character.toUpperCase(cp) : cp));
            return b.toString();
        }
    }
}
