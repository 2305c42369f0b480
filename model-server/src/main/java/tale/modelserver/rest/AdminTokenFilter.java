package tale.modelserver.rest;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import tale.modelserver.config.ServerConfig;
import tale.modelserver.rest.api.OpenAi;

/**
 * Guards {@link AdminOnly} endpoints: 401 without the configured bearer token, 403 when no token is
 * configured at all (admin is then off, rather than open).
 */
@Provider
@AdminOnly
public class AdminTokenFilter implements ContainerRequestFilter {

    // Looked up per request: filters are created before runtime configuration exists.
    @Inject Instance<ServerConfig> config;

    @Override
    public void filter(ContainerRequestContext request) {
        Optional<String> token = config.get().admin().token().filter(t -> !t.isBlank());
        if (token.isEmpty()) {
            request.abortWith(error(Response.Status.FORBIDDEN, "permission_error",
                    "admin endpoints are disabled: set tale.admin.token (TALE_ADMIN_TOKEN)"));
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String expected = "Bearer " + token.get();
        if (header == null || !MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            request.abortWith(error(Response.Status.UNAUTHORIZED, "authentication_error",
                    "admin endpoints need the header Authorization: Bearer <tale.admin.token>"));
        }
    }

    private static Response error(Response.Status status, String type, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .entity(OpenAi.ErrorBody.of(message, type)).build();
    }
}
