package tale.results.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When {@code tale.api.token} is set, {@code /api/*} answers only requests carrying
 * {@code Authorization: Bearer <token>}; the dashboard's files and {@code /q/*} stay open (they hold no results).
 */
public class ApiTokenFilter {

    private static final String PREFIX = "Bearer ";

    @ConfigProperty(name = "tale.api.token")
    Optional<String> token;

    @ServerRequestFilter
    public Optional<Response> requireToken(ContainerRequestContext request) {
        Optional<String> expected = token.filter(t -> !t.isBlank());
        if (expected.isEmpty() || !request.getUriInfo().getPath().startsWith("/api")) return Optional.empty();
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.startsWith(PREFIX) && MessageDigest.isEqual(
                header.substring(PREFIX.length()).strip().getBytes(StandardCharsets.UTF_8),
                expected.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(Response.fromResponse(ApiError.response(Response.Status.UNAUTHORIZED,
                        header == null ? "missing Authorization: Bearer <token> (tale.api.token)" : "wrong bearer token"))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build());
    }
}
