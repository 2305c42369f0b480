package tale.results.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import tale.messages.JobEvent.RoundResult;
import tale.results.persistence.JobRecord;
import tale.results.persistence.ResultsQueries;
import tale.results.report.BestConfigurations;
import tale.results.report.Heatmap;
import tale.results.report.Trajectory;
import tale.service.TokenRequired;

/**
 * The results store's queries (every answer is JSON; errors are {@code {"error": ...}}). Every one needs the bearer
 * token {@code tale.api.token}; the dashboard's files, health, metrics and OpenAPI do not.
 */
@Path("/api")
@TokenRequired
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@Tag(name = "results")
public class ResultsResource {

    private static final Set<String> STATES = Set.of("queued", "running", "succeeded", "failed", "cancelled");
    /** Job ids are the orchestrator's: letters, digits and a few separators. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final int MAX_LIMIT = 1000;

    @Inject
    ResultsQueries queries;
    @Inject
    ObjectMapper json;

    @GET
    @Path("/jobs")
    @Operation(summary = "Jobs, most recently updated first")
    public List<JobItem> jobs(@Parameter(description = "queued, running, succeeded, failed or cancelled")
                              @QueryParam("state") String state,
                              @Parameter(description = "at most this many (1..1000, default 100)")
                              @QueryParam("limit") String limit) throws SQLException {
        if (state != null && !STATES.contains(state)) {
            throw QueryErrors.badRequest("state '" + state + "' is not one of " + String.join(", ", STATES.stream().sorted().toList()));
        }
        return queries.jobs(Optional.ofNullable(state), limit(limit)).stream().map(JobItem::of).toList();
    }

    @GET
    @Path("/jobs/{id}")
    @Operation(summary = "A job with its rounds, candidate scores, summary and per-worker unit counts")
    public JobView job(@PathParam("id") String id) throws SQLException {
        JobRecord j = find(id);
        return new JobView(j.id(), j.model(), j.task(), j.state(), j.round(), j.step(), j.done(), j.total(), j.numLayers(),
                j.floor(), j.error(), j.submittedAt(), j.updatedAt(), parse(j.specJson()), parse(j.summaryJson()),
                queries.rounds(id), queries.workers(id), queries.selections(id));
    }

    @GET
    @Path("/jobs/{id}/trajectory")
    @Operation(summary = "Accepted configurations (layers removed, search and test accuracy), the floor, Best/BSBA/Final")
    public Trajectory trajectory(@PathParam("id") String id) throws SQLException {
        JobRecord j = find(id);
        List<RoundResult> rounds = queries.rounds(id);
        return Trajectory.of(j.id(), j.numLayers(), j.floor(), parse(j.summaryJson()), rounds);
    }

    @GET
    @Path("/jobs/{id}/heatmap")
    @Operation(summary = "Every candidate's accuracy by round and layer")
    public Heatmap heatmap(@PathParam("id") String id) throws SQLException {
        JobRecord j = find(id);
        return Heatmap.of(j.id(), j.numLayers(), j.floor(), queries.rounds(id));
    }

    @GET
    @Path("/best")
    @Operation(summary = "Per model and task across succeeded jobs: the most accurate Best and the deepest BSBA")
    public List<BestConfigurations.Group> best(@QueryParam("model") String model, @QueryParam("task") String task)
            throws SQLException {
        Optional<String> m = filter("model", model);
        Optional<String> t = filter("task", task);
        return BestConfigurations.of(queries.succeeded(m, t).stream()
                .map(j -> new BestConfigurations.JobSummary(j.id(), j.model(), j.task(), parse(j.summaryJson())))
                .toList());
    }

    private JobRecord find(String id) throws SQLException {
        if (!JOB_ID.matcher(id).matches()) {
            throw QueryErrors.badRequest("job id '" + id + "' is not valid (1-200 letters, digits, '.', '_', ':' or '-')");
        }
        return queries.job(id).orElseThrow(() -> QueryErrors.notFound("no job " + id));
    }

    private static int limit(String limit) {
        if (limit == null) return 100;
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= MAX_LIMIT) return n;
        } catch (NumberFormatException e) {
            // answered below, like an out-of-range number
        }
        throw QueryErrors.badRequest("limit '" + limit + "' must be a whole number from 1 to " + MAX_LIMIT);
    }

    private static Optional<String> filter(String name, String value) {
        if (value == null) return Optional.empty();
        if (value.isBlank()) throw QueryErrors.badRequest(name + " must not be blank when given");
        return Optional.of(value);
    }

    private JsonNode parse(String stored) {
        if (stored == null) return null;
        try {
            return json.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse: " + e.getOriginalMessage(), e);
        }
    }
}
