package tale.modelserver.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import tale.modelserver.rest.api.OpenAi;

/** Errors of the JAX-RS endpoints, in the same OpenAI format and status codes as the completion routes. */
public class ApiExceptionMapper {

    @ServerExceptionMapper
    public Response map(Throwable failure) {
        if (failure instanceof WebApplicationException w) {
            Response r = w.getResponse();
            String type = r.getStatus() == 404 ? "not_found_error" : r.getStatus() < 500 ? "invalid_request_error" : "server_error";
            return Response.status(r.getStatus()).type(MediaType.APPLICATION_JSON)
                    .entity(OpenAi.ErrorBody.of(w.getMessage(), type)).build();
        }
        ApiError e = ApiError.of(failure);
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(e.body());
        if (e.retryAfter() != null) r.header("Retry-After", e.retryAfter());
        return r.build();
    }
}
