package tale.results.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Error answers as {@code {"error": "..."}}, the orchestrator's shape. */
final class ApiError {

    private ApiError() { }

    static WebApplicationException badRequest(String message) {
        return new WebApplicationException(message, response(Response.Status.BAD_REQUEST, message));
    }

    static WebApplicationException notFound(String message) {
        return new WebApplicationException(message, response(Response.Status.NOT_FOUND, message));
    }

    static Response response(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
