package tale.service;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Refuses requests to {@link TokenRequired} resources with 401 unless they carry the configured bearer token. */
@Provider
@TokenRequired
public class BearerTokenFilter implements ContainerRequestFilter {

    private static final String PREFIX = "Bearer ";

    private final byte[] token;

    public BearerTokenFilter(@ConfigProperty(name = "tale.api.token") String token) {
        if (token.isBlank()) throw new IllegalStateException("tale.api.token (TALE_API_TOKEN) must not be blank");
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String problem = null;
        if (header == null || !header.startsWith(PREFIX)) {
            problem = "this endpoint needs the header Authorization: Bearer <token> (tale.api.token)";
        } else if (!MessageDigest.isEqual(token, header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8))) {
            problem = "the bearer token is wrong";
        }
        if (problem != null) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ApiError.of(problem))
                    .build());
        }
    }
}
