package tale.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The body of every error response of the TALE services: {@code {"error":"...","fields":{"field":"problem"}}},
 * {@code fields} only when particular request fields are at fault.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, Map<String, String> fields) {

    public static ApiError of(String error) {
        return new ApiError(error, null);
    }
}
