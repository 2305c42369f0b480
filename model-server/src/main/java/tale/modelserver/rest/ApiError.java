package tale.modelserver.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;
import tale.core.InputException;
import tale.modelserver.batch.QueueFullException;
import tale.modelserver.batch.SchedulerClosedException;
import tale.modelserver.metrics.ServingMetrics;
import tale.modelserver.model.ModelUnavailableException;
import tale.modelserver.model.ProfileConflictException;
import tale.modelserver.model.UnknownModelException;
import tale.modelserver.rest.api.OpenAi;

/**
 * How a failure is answered, in OpenAI's error format: 400 bad input, 404 unknown model or profile,
 * 409 impossible profile change, 429 queue full (retry after a second), 503 model loading or stopping,
 * 500 anything else (logged, never shown).
 */
public record ApiError(int status, String type, String message, ServingMetrics.Outcome outcome) {

    private static final Logger LOG = Logger.getLogger(ApiError.class);

    public static ApiError of(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof InputException) return new ApiError(400, "invalid_request_error", t.getMessage(), ServingMetrics.Outcome.INVALID);
        if (t instanceof JsonProcessingException j) {
            return new ApiError(400, "invalid_request_error", "malformed JSON: " + j.getOriginalMessage(), ServingMetrics.Outcome.INVALID);
        }
        if (t instanceof UnknownModelException) return new ApiError(404, "not_found_error", t.getMessage(), ServingMetrics.Outcome.NOT_FOUND);
        if (t instanceof ProfileConflictException) return new ApiError(409, "conflict_error", t.getMessage(), ServingMetrics.Outcome.INVALID);
        if (t instanceof QueueFullException) return new ApiError(429, "rate_limit_error", t.getMessage(), ServingMetrics.Outcome.REJECTED);
        if (t instanceof ModelUnavailableException || t instanceof SchedulerClosedException) {
            return new ApiError(503, "service_unavailable", t.getMessage(), ServingMetrics.Outcome.UNAVAILABLE);
        }
        LOG.error("request failed", t);
        return new ApiError(500, "server_error", "internal error (see the server log)", ServingMetrics.Outcome.ERROR);
    }

    public OpenAi.ErrorBody body() {
        return OpenAi.ErrorBody.of(message, type);
    }

    /** Seconds a client should wait before retrying, for 429 and 503. */
    public String retryAfter() {
        return status == 429 ? "1" : status == 503 ? "5" : null;
    }
}
