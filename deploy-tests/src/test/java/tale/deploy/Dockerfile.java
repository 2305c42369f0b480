package tale.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A container recipe read as text: its instructions, with continuation lines joined and comments dropped. */
final class Dockerfile {

    record Instruction(String keyword, String arguments) { }

    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\\S+)");

    final Path file;
    final List<Instruction> instructions = new ArrayList<>();

    private Dockerfile(Path file) {
        this.file = file;
    }

    /** The recipe of {@code service}: deploy/docker/SERVICE.Dockerfile; empty when there is none. */
    static Optional<Dockerfile> of(Path repo, String service) {
        Path file = repo.resolve("deploy/docker/" + service + ".Dockerfile");
        return Files.isRegularFile(file) ? Optional.of(parse(file)) : Optional.empty();
    }

    static Dockerfile parse(Path file) {
        Dockerfile d = new Dockerfile(file);
        StringBuilder pending = new StringBuilder();
        for (String line : ServiceConfig.read(file).split("\n")) {
            String trimmed = line.strip();
            if (pending.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) continue;
            if (trimmed.startsWith("#")) continue;
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String full = pending.toString().strip();
            pending.setLength(0);
            int space = full.indexOf(' ');
            d.instructions.add(new Instruction(full.substring(0, space < 0 ? full.length() : space).toUpperCase(),
                    space < 0 ? "" : full.substring(space + 1).strip()));
        }
        return d;
    }

    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The environment the image sets (ENV KEY=value ...), later instructions winning. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String args : all("ENV")) {
            Matcher m = ENV_PAIR.matcher(args);
            while (m.find()) {
                String v = m.group(2);
                if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'"))) v = v.substring(1, v.length() - 1);
                env.put(m.group(1), v);
            }
        }
        return env;
    }

    /** The user the container runs as: the last USER instruction ("root" when there is none). */
    String user() {
        List<String> users = all("USER");
        return users.isEmpty() ? "root" : users.get(users.size() - 1);
    }

    List<Integer> exposedPorts() {
        List<Integer> ports = new ArrayList<>();
        for (String args : all("EXPOSE")) {
            for (String p : args.split("\\s+")) ports.add(Integer.parseInt(p.replace("/tcp", "")));
        }
        return ports;
    }

    @Override
    public String toString() {
        return file.getFileName().toString();
    }
}
