package tale.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A request whose fields are wrong; answered with 400 and every offending field (see {@link ErrorMappers}). */
public class InvalidFieldsException extends RuntimeException {

    private final Map<String, String> fields;

    public InvalidFieldsException(Map<String, String> fields) {
        super("invalid request: " + fields.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("; ")));
        if (fields.isEmpty()) throw new IllegalArgumentException("an invalid request names at least one field");
        this.fields = Map.copyOf(new LinkedHashMap<>(fields));
    }

    public static InvalidFieldsException of(String field, String problem) {
        return new InvalidFieldsException(Map.of(field, problem));
    }

    public Map<String, String> fields() {
        return fields;
    }
}
