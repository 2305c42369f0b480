package tale.core.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tale.core.InputException;

/**
 * Reads the rows of a task file: JSON Lines (one object a line), a JSON array of objects, an object holding an
 * {@code "examples"} array (BIG-Bench-Hard), or CSV (MMLU). Every error names the file and the line or row.
 */
public final class TaskFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private TaskFile() { }

    /** A row of a task file that can report a problem with itself, naming file and line. */
    public interface Located {
        String location();

        default InputException error(String problem) {
            return new InputException(location() + ": " + problem);
        }
    }

    /** One JSON object of a task file and where it came from ("file:12" or "file: examples[3]"). */
    public record Row(String location, JsonNode node) implements Located {

        public boolean has(String field) {
            return node.hasNonNull(field);
        }

        /** A required string field (numbers and booleans are accepted as their text). */
        public String text(String field) {
            return optionalText(field).orElseThrow(() -> error("missing field \"" + field + "\""));
        }

        public Optional<String> optionalText(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) return Optional.empty();
            if (!n.isValueNode()) throw error("field \"" + field + "\" must be a string, got " + n.getNodeType());
            return Optional.of(n.asText());
        }

        /** The first of {@code fields} that is present. */
        public String textOf(String... fields) {
            for (String f : fields) {
                Optional<String> v = optionalText(f);
                if (v.isPresent()) return v.get();
            }
            throw error("missing field " + String.join(" or ", List.of(fields).stream().map(f -> "\"" + f + "\"").toList()));
        }

        public int integer(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) throw error("missing field \"" + field + "\"");
            if (n.isIntegralNumber()) return n.asInt();
            if (n.isTextual() && n.asText().trim().matches("-?\\d+")) return Integer.parseInt(n.asText().trim());
            throw error("field \"" + field + "\" must be an integer, got " + n);
        }

        /** A required array of strings, at {@code path} ("choices" or "choices.text"). */
        public List<String> texts(String path) {
            JsonNode n = node;
            for (String part : path.split("\\.")) n = n.path(part);
            if (n.isMissingNode() || n.isNull()) throw error("missing field \"" + path + "\"");
            if (!n.isArray()) throw error("field \"" + path + "\" must be a list, got " + n.getNodeType());
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isValueNode() || e.isNull()) throw error("field \"" + path + "\" must hold strings, got " + e);
                out.add(e.asText());
            }
            return out;
        }
    }

    /** One CSV record and the line it starts on. */
    public record CsvRow(String location, List<String> fields) implements Located { }

    /** The JSON rows of {@code file}, in file order. */
    public static List<Row> readJson(Path file) {
        String text = readText(file);
        String trimmed = text.strip();
        if (trimmed.isEmpty()) return List.of();
        if (trimmed.startsWith("[")) return arrayRows(file, parse(file, trimmed, "the JSON array"), "row ");
        if (trimmed.startsWith("{")) {
            // One object holding the rows, possibly pretty-printed: BIG-Bench-Hard's {"examples": [...]}.
            JsonNode whole = tryParse(trimmed);
            if (whole != null && whole.path("examples").isArray()) {
                return arrayRows(file, whole.get("examples"), "examples[");
            }
        }
        return lineRows(file, text);
    }

    /** The CSV records of {@code file} (RFC 4180: quoted fields may hold commas, quotes and newlines). */
    public static List<CsvRow> readCsv(Path file) {
        String text = readText(file);
        List<CsvRow> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, fieldStarted = false;
        int line = 1, recordLine = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') line++;
                    field.append(c);
                }
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
                fieldStarted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                fieldStarted = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                if (fieldStarted || field.length() > 0) {
                    fields.add(field.toString());
                    rows.add(new CsvRow(file + ":" + recordLine, List.copyOf(fields)));
                }
                fields.clear();
                field.setLength(0);
                fieldStarted = false;
                line++;
                recordLine = line;
            } else {
                field.append(c);
                fieldStarted = true;
            }
        }
        if (quoted) throw new InputException(file + ":" + recordLine + ": unterminated quoted field");
        if (fieldStarted || field.length() > 0) {
            fields.add(field.toString());
            rows.add(new CsvRow(file + ":" + recordLine, List.copyOf(fields)));
        }
        return rows;
    }

    static String readText(Path file) {
        try {
            String text = Files.readString(file);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new InputException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static List<Row> lineRows(Path file, String text) {
        List<Row> rows = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            String location = file + ":" + (i + 1);
            JsonNode node = tryParse(line);
            if (node == null) throw new InputException(location + ": malformed JSON (" + parseError(line) + ")");
            if (!node.isObject()) throw new InputException(location + ": expected a JSON object, got " + node.getNodeType());
            rows.add(new Row(location, node));
        }
        return rows;
    }

    private static List<Row> arrayRows(Path file, JsonNode array, String prefix) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String location = file + ": " + prefix + i + (prefix.endsWith("[") ? "]" : "");
            JsonNode node = array.get(i);
            if (!node.isObject()) throw new InputException(location + ": expected a JSON object, got " + node.getNodeType());
            rows.add(new Row(location, node));
        }
        return rows;
    }

    private static JsonNode parse(Path file, String text, String what) {
        JsonNode node = tryParse(text);
        if (node == null) throw new InputException(file + ": malformed JSON in " + what + " (" + parseError(text) + ")");
        return node;
    }

    private static JsonNode tryParse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String parseError(String text) {
        try {
            JSON.readTree(text);
            return "unknown";
        } catch (JsonProcessingException e) {
            return e.getOriginalMessage();
        }
    }
}
