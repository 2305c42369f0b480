package tale.service;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a REST resource (class or method) that answers only requests carrying {@code Authorization: Bearer
 * <tale.api.token>}; see {@link BearerTokenFilter}. Health, metrics and OpenAPI stay open because they are not
 * marked.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface TokenRequired {
}
