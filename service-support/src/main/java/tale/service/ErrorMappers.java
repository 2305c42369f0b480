package tale.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.TreeMap;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import tale.core.InputException;

/** Turns the services' input errors into 400 responses with an {@link ApiError} body. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response invalidFields(InvalidFieldsException e) {
        return badRequest(new ApiError(e.getMessage(), new TreeMap<>(e.fields())));
    }

    @ServerExceptionMapper
    public Response invalidInput(InputException e) {
        return badRequest(ApiError.of(e.getMessage()));
    }

    /** A body that is not the JSON the endpoint reads (syntax, or a value of the wrong type). */
    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        return badRequest(ApiError.of("the request body is not valid JSON for this endpoint: " + e.getOriginalMessage()));
    }

    /**
     * Quarkus' JSON reader reports a body it cannot parse as a bare 400; give it the same JSON error body. Every
     * other web exception keeps its own response.
     */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) return unreadableJson(json);
        return e.getResponse();
    }

    private static Response badRequest(ApiError error) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE).entity(error).build();
    }
}
