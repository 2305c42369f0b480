package tale.core.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.lang.reflect.Method;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Jinjava engine set up to render templates as Hugging Face's Jinja2 environment does
 * ({@code transformers.utils.chat_template_utils._compile_jinja_template}): its {@code tojson} filter, its
 * {@code raise_exception} and {@code strftime_now} globals, Python methods and printing. Templates go through
 * {@link JinjaSource} first, which applies Jinja2's whitespace rules, so Jinjava's own trimming stays off.
 */
final class PythonJinja {

    /** {@code raise_exception(message)} from a template: the template refuses its input. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }

    private PythonJinja() { }

    static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(false) // JinjaSource has applied Jinja2's trim_blocks / lstrip_blocks
                .withLstripBlocks(false)
                .withKeepTrailingNewline(true) // Jinja2 drops the source's final newline (done by JinjaSource), not the output's
                .withNestedInterpretationEnabled(false) // message content must never be evaluated as template code
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withIterateOverMapKeys(true) // {% for k in dict %} yields keys, as in Python
                        .withEvaluateMapKeys(true) // {key: v} uses the variable key, as in Python
                        .withParseWhitespaceControlStrictly(true) // '-' is whitespace control only in "{{-": {{ -1 }} is -1
                        .build())
                .withElResolver(resolver)
                .withInterperterFactory(new PythonPrinting())
                .withMaxOutputSize(64L << 20) // a runaway loop fails instead of filling the heap
                .build();
        Jinjava jinjava = new Jinjava(config);
        Context globals = jinjava.getGlobalContext();
        globals.registerFunction(function("raise_exception", "raiseException", Object.class));
        globals.registerFunction(function("strftime_now", "strftimeNow", Object.class));
        // Jinja2 globals are variables too: Llama 3.2 asks "{% if strftime_now is defined %}" before calling it.
        globals.put("raise_exception", new Builtin("raise_exception"));
        globals.put("strftime_now", new Builtin("strftime_now"));
        globals.registerFunction(function(PythonExpression.SLICE_FUNCTION, "slice", Object.class, Object.class, Object.class,
                Object.class));
        globals.registerFunction(function(JinjaSource.APPEND_FUNCTION, "append", Object.class, Object.class));
        globals.registerFunction(function(PythonExpression.ITEM_FUNCTION, "item", Object.class, Object.class));
        globals.registerFilter(new ToJson());
        globals.registerFilter(new PythonFilter("trim", "strip surrounding whitespace as Python's str.strip()",
                (v, args) -> PythonMethods.StringMethods.call(PythonValues.str(v), "strip", args)));
        globals.registerFilter(new PythonFilter("string", "Python's str()", (v, args) -> PythonValues.str(v)));
        globals.registerFilter(new PythonFilter("list", "list(dict) gives the keys, list(str) the characters",
                (v, args) -> PythonValues.list(v)));
        globals.registerFilter(new PythonFilter("items", "Jinja2 3.1's items filter; Jinjava has none",
                (v, args) -> v instanceof Map<?, ?> m ? PythonValues.items(m) : List.of()));
        Predicate<Object> container = v -> PythonValues.isString(v) || v instanceof Collection || v instanceof Map;
        globals.registerExpTest(new PythonTest("iterable", "strings and dicts are iterable in Python", container));
        globals.registerExpTest(new PythonTest("sequence", "anything with len() and [], strings and dicts too", container));
        Filter select = globals.getFilter("select");
        Filter reject = globals.getFilter("reject");
        globals.registerFilter(new PythonFilter("select", "select without a test keeps truthy items; Jinjava requires one",
                (v, args) -> truthyItems(select, v, args, true)));
        globals.registerFilter(new PythonFilter("reject", "reject without a test drops truthy items; Jinjava requires one",
                (v, args) -> truthyItems(reject, v, args, false)));
        return jinjava;
    }

    private static Object truthyItems(Filter jinjavaFilter, Object value, Object[] args, boolean keep) {
        if (args.length > 0) {
            return jinjavaFilter.filter(value, JinjavaInterpreter.getCurrent(), args, Map.of());
        }
        return PythonValues.list(value).stream().filter(o -> PythonValues.truthy(o) == keep).toList();
    }

    /** The value of a global function's name, which Python prints as {@code <function name>}. */
    private record Builtin(String name) {
        @Override
        public String toString() {
            return "<function " + name + ">";
        }
    }

    private static ELFunctionDefinition function(String name, String method, Class<?>... params) {
        try {
            Method m = PythonJinja.class.getDeclaredMethod(method, params);
            m.setAccessible(true);
            return new ELFunctionDefinition("", name, m);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object raiseException(Object message) {
        throw new Raised(PythonValues.str(message));
    }

    /** Local time, as Python's {@code datetime.now().strftime(format)}. */
    private static String strftimeNow(Object format) {
        return StrftimeFormatter.format(ZonedDateTime.now(), PythonValues.str(format), Locale.US);
    }

    private static Object slice(Object value, Object start, Object stop, Object step) {
        return PythonValues.slice(value, start, stop, step);
    }

    /** {@code sequence[index]} when in range, else undefined (for loop.previtem and loop.nextitem). */
    private static Object item(Object sequence, Object index) {
        List<Object> items = PythonValues.list(sequence);
        long i = PythonValues.integer(index, "index");
        return i >= 0 && i < items.size() ? items.get((int) i) : null;
    }

    /** Collects the items a filtered for loop keeps (see JinjaSource); prints nothing. */
    @SuppressWarnings("unchecked")
    private static String append(Object list, Object item) {
        ((List<Object>) list).add(item);
        return "";
    }

    /** Prints values as Python's {@code str()} does ({@code True}, {@code ['a', 1]}), not as Java's toString. */
    private static final class PythonPrinting implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new Interpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig config) {
            return new Interpreter(application, context, config);
        }

        private static final class Interpreter extends JinjavaInterpreter {
            Interpreter(JinjavaInterpreter orig) {
                super(orig);
            }

            Interpreter(Jinjava application, Context context, JinjavaConfig config) {
                super(application, context, config);
            }

            @Override
            public String getAsString(Object value) {
                return PythonValues.str(value);
            }
        }
    }

    /**
     * Hugging Face's {@code tojson}: {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None,
     * sort_keys=False)}. Unlike Jinja2's built-in it does not escape HTML characters.
     */
    private static final class ToJson implements Filter {
        private static final String[] PARAMETERS = {"ensure_ascii", "indent", "separators", "sort_keys"};

        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object[] values = new Object[PARAMETERS.length];
            for (int i = 0; i < args.length; i++) {
                if (i >= values.length) throw new IllegalArgumentException("tojson takes at most 4 arguments");
                values[i] = args[i];
            }
            for (Map.Entry<String, Object> kw : kwargs.entrySet()) {
                int i = Arrays.asList(PARAMETERS).indexOf(kw.getKey());
                if (i < 0) throw new IllegalArgumentException("tojson got an unexpected keyword argument '" + kw.getKey() + "'");
                values[i] = kw.getValue();
            }
            boolean ensureAscii = PythonValues.truthy(values[0]);
            String indent = values[1] == null ? null
                    : PythonValues.isString(values[1]) ? values[1].toString()
                    : " ".repeat((int) Math.max(0, PythonValues.integer(values[1], "indent")));
            String itemSeparator = indent == null ? ", " : ",";
            String keySeparator = ": ";
            if (values[2] != null) {
                if (!(values[2] instanceof Collection<?> seps) || seps.size() != 2) {
                    throw new IllegalArgumentException("tojson separators must be a pair (item_separator, key_separator)");
                }
                Object[] pair = seps.toArray();
                itemSeparator = PythonValues.str(pair[0]);
                keySeparator = PythonValues.str(pair[1]);
            }
            boolean sortKeys = PythonValues.truthy(values[3]);
            return PythonValues.toJson(var,
                    new PythonValues.JsonOptions(ensureAscii, indent, itemSeparator, keySeparator, sortKeys));
        }
    }

    /** A test whose Jinjava namesake differs from Jinja2's. */
    private record PythonTest(String name, String why, Predicate<Object> test) implements ExpTest {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return test.test(var);
        }
    }

    /** A filter whose Jinjava namesake differs from Jinja2's. */
    private record PythonFilter(String name, String why, BiFunction<Object, Object[], Object> body)
            implements Filter {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return body.apply(var, args);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            return body.apply(var, args);
        }
    }
}
