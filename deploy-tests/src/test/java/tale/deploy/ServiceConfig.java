package tale.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A service's configuration as its code defines it: the keys of {@code src/main/resources/application.properties}
 * (production profile) and the settings its code reads, with Quarkus' mapping of environment variables to keys
 * ({@code tale.worker.model-root} is {@code TALE_WORKER_MODEL_ROOT}). Answers what a container's environment makes
 * of a key, and whether an environment variable is a setting the service knows at all.
 */
final class ServiceConfig {

    /** The four services, by module directory (and image name). */
    static final List<String> SERVICES = List.of("orchestrator", "evaluator-worker", "results-store", "model-server");

    /** Read by the container image or the JVM rather than by the application's configuration. */
    static final Set<String> RUNTIME_ENV = Set.of("JAVA_OPTS_APPEND", "JAVA_MAX_MEM_RATIO", "JAVA_APP_JAR", "LANGUAGE",
            "DJL_OFFLINE", "OPT_OUT_TRACKING", "DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "QUARKUS_CONFIG_LOCATIONS",
            "QUARKUS_PROFILE");

    /** Modules whose code the services share (configuration read there counts for every service). */
    private static final List<String> SHARED_MODULES = List.of("core", "messages", "service-support");
    private static final Pattern COMMENTED_KEY = Pattern.compile("^#\\s*([a-z][\\w.\"-]*)\\s*=", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([a-z][\\w.-]*)");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern CONFIG_MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    /** An abstract member of a configuration interface: {@code Type name();}, annotations before it allowed. */
    private static final Pattern MEMBER = Pattern.compile("([\\w.<>, ?]+?)\\s+(\\w+)\\(\\)\\s*;");
    private static final Pattern NESTED_INTERFACE = Pattern.compile("\\binterface\\s+\\w+[^{]*\\{");
    private static final Pattern MAP_TYPE = Pattern.compile("Map<\\s*String\\s*,(.+)>");
    private static final Pattern VALUE_TYPE = Pattern.compile(
            "int|long|boolean|double|String|Integer|Long|Boolean|(java\\.nio\\.file\\.)?Path|(java\\.time\\.)?Duration"
            + "|Optional<.*>|OptionalInt|OptionalLong|List<.*>|Set<.*>");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");
    private static final Pattern GETENV = Pattern.compile("getenv\\(\"([A-Z0-9_]+)\"\\)");

    final String name;
    final Path module;
    /** Production values: keys without a profile, overridden by {@code %prod.} keys. */
    final Map<String, String> properties = new LinkedHashMap<>();
    private final Set<Setting> settings = new LinkedHashSet<>();
    private final Set<String> codeEnv = new HashSet<>();

    private ServiceConfig(String name, Path module) {
        this.name = name;
        this.module = module;
    }

    /**
     * The configuration of service {@code name} under {@code root}; empty when its module is not in this checkout
     * (not merged yet). A module without its application.properties is an error.
     */
    static Optional<ServiceConfig> load(Path root, String name) {
        Path module = root.resolve(name);
        if (!Files.isDirectory(module)) return Optional.empty();
        Path file = module.resolve("src/main/resources/application.properties");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(name + ": " + file + " is missing; the manifests cannot be checked against it");
        }
        ServiceConfig config = new ServiceConfig(name, module);
        String text = read(file);
        Properties raw = properties(text);
        for (String key : raw.stringPropertyNames()) {
            if (!key.startsWith("%")) config.properties.putIfAbsent(key, raw.getProperty(key));
        }
        for (String key : raw.stringPropertyNames()) {
            if (key.startsWith("%prod.")) config.properties.put(key.substring(6), raw.getProperty(key));
        }
        Set<String> keys = new TreeSet<>(config.properties.keySet());
        find(COMMENTED_KEY, text, keys);
        find(REFERENCE, text, keys);
        keys.forEach(k -> config.settings.add(Setting.of(k)));
        config.readCode(module);
        for (String shared : SHARED_MODULES) config.readCode(root.resolve(shared));
        return Optional.of(config);
    }

    private void readCode(Path moduleDir) {
        Path src = moduleDir.resolve("src/main/java");
        if (!Files.isDirectory(src)) return;
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                String code = COMMENT.matcher(read(f)).replaceAll("");
                for (Matcher p = CONFIG_PROPERTY.matcher(code); p.find(); ) settings.add(Setting.of(p.group(1)));
                find(GETENV, code, codeEnv);
                Matcher mapping = CONFIG_MAPPING.matcher(code);
                if (mapping.find()) {
                    int open = code.indexOf('{', mapping.end());
                    addMembers(code, block(code, open), Setting.of(mapping.group(1)).segments);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The settings a @ConfigMapping interface body declares: a value member is a key; a group member (a nested
     * interface) adds its members under its name; a map member adds them under any name ({@code tale.models.<name>}).
     */
    private void addMembers(String code, String body, List<String> prefix) {
        String own = body;
        for (Matcher nested = NESTED_INTERFACE.matcher(own); nested.find(); nested = NESTED_INTERFACE.matcher(own)) {
            int open = own.indexOf('{', nested.start());
            own = own.substring(0, nested.start()) + own.substring(open + block(own, open).length() + 2);
        }
        for (Matcher member = MEMBER.matcher(own); member.find(); ) {
            String type = member.group(1).strip();
            List<String> key = new ArrayList<>(prefix);
            key.add(kebab(member.group(2)));
            Matcher map = MAP_TYPE.matcher(type);
            if (map.matches()) {
                key.add(Setting.ANY_NAME);
                type = map.group(1).strip();
            }
            if (VALUE_TYPE.matcher(type).matches()) {
                settings.add(new Setting(key));
            } else {
                Matcher group = Pattern.compile("interface\\s+" + Pattern.quote(type) + "\\b[^{]*\\{").matcher(code);
                if (group.find()) {
                    addMembers(code, block(code, group.end() - 1), key);
                } else {
                    key.add(Setting.ANYTHING);
                    settings.add(new Setting(key));
                }
            }
        }
    }

    /** The text between the brace at {@code open} and its matching closing brace. */
    private static String block(String code, int open) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            if (code.charAt(i) == '{') depth++;
            else if (code.charAt(i) == '}' && --depth == 0) return code.substring(open + 1, i);
        }
        throw new IllegalArgumentException("unbalanced braces");
    }

    static Properties properties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The environment variable Quarkus maps to {@code key}: upper case, every other character an underscore. */
    static String envName(String key) {
        StringBuilder b = new StringBuilder();
        for (char c : key.toCharArray()) b.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        return b.toString();
    }

    /** Whether the service reads environment variable {@code var} (as a configuration key or directly). */
    boolean knowsEnv(String var) {
        if (RUNTIME_ENV.contains(var) || codeEnv.contains(var)) return true;
        return settings.stream().anyMatch(s -> s.envPattern.matcher(var).matches());
    }

    /** Whether {@code key} (from a properties file) is a setting of the service. */
    boolean knowsKey(String key) {
        return settings.stream().anyMatch(s -> s.keyPattern.matcher(key).matches());
    }

    /**
     * The value of {@code key} in a container whose environment is {@code env}: the environment variable, else the
     * application.properties value, with {@code ${other:default}} expressions resolved; null when unset.
     */
    String value(String key, Map<String, String> env) {
        String raw = env.containsKey(envName(key)) ? env.get(envName(key)) : properties.get(key);
        return raw == null ? null : resolve(raw, env, 0);
    }

    private String resolve(String value, Map<String, String> env, int depth) {
        if (depth > 10) throw new IllegalStateException(name + ": configuration expressions nest too deep in " + value);
        Matcher m = EXPRESSION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = value(m.group(1), env);
            if (v == null) v = m.group(2) != null ? m.group(2) : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(resolve(v, env, depth + 1)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The Kafka topics the service's channels name, dead-letter topics included, by channel property. */
    Map<String, String> topics(Map<String, String> env) {
        Map<String, String> topics = new LinkedHashMap<>();
        for (String key : properties.keySet()) {
            if (key.startsWith("mp.messaging.") && (key.endsWith(".topic"))) topics.put(key, value(key, env));
        }
        return topics;
    }

    /** The incoming channels: channel name to its topic. */
    Map<String, String> incoming(Map<String, String> env) {
        Map<String, String> channels = new LinkedHashMap<>();
        Pattern p = Pattern.compile("mp\\.messaging\\.incoming\\.([^.]+)\\.topic");
        for (String key : properties.keySet()) {
            Matcher m = p.matcher(key);
            if (m.matches()) channels.put(m.group(1), value(key, env));
        }
        return channels;
    }

    /** Whether the module depends on tale-core, and so runs DJL. */
    boolean usesCore() {
        return read(module.resolve("pom.xml")).contains("<artifactId>tale-core</artifactId>");
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    private static void find(Pattern p, String text, Set<String> into) {
        Matcher m = p.matcher(text);
        while (m.find()) into.add(m.group(1));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** A configuration key, possibly with name parts ({@code tale.models.<name>.path}), and its environment form. */
    static final class Setting {
        static final String ANY_NAME = "<name>";
        static final String ANYTHING = "<anything>";

        final List<String> segments;
        final Pattern keyPattern;
        final Pattern envPattern;

        Setting(List<String> segments) {
            this.segments = List.copyOf(segments);
            keyPattern = Pattern.compile(String.join("\\.", segments.stream().map(s -> switch (s) {
                case ANY_NAME -> "(\"[^\"]+\"|[^.]+)";
                case ANYTHING -> ".+";
                default -> Pattern.quote(s);
            }).toList()));
            envPattern = Pattern.compile(String.join("_", segments.stream().map(s -> switch (s) {
                case ANY_NAME, ANYTHING -> "[A-Z0-9_]+";
                default -> Pattern.quote(envName(s));
            }).toList()));
        }

        /** Segments between dots; a quoted segment may hold dots. */
        static Setting of(String key) {
            return new Setting(List.of(key.split("\\.")));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Setting other && other.segments.equals(segments);
        }

        @Override
        public int hashCode() {
            return segments.hashCode();
        }
    }
}
