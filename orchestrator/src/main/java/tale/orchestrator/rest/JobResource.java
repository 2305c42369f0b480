package tale.orchestrator.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import io.smallrye.mutiny.Multi;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.jboss.resteasy.reactive.RestStreamElementType;
import tale.messages.JobEvent;
import tale.messages.JobSpec;
import tale.orchestrator.job.JobService;
import tale.orchestrator.job.JobView;
import tale.service.TokenRequired;

/** Search jobs: submit, list, inspect, cancel, follow. Every call needs the API token. */
@Path("/jobs")
@TokenRequired
@SecurityScheme(securitySchemeName = "token", type = SecuritySchemeType.HTTP, scheme = "bearer")
@SecurityRequirement(name = "token")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private final JobService jobs;

    public JobResource(JobService jobs) {
        this.jobs = jobs;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a search job", description = "202 with the job and Location: /jobs/{id}; "
            + "400 with {error, fields} naming every invalid field")
    public Response submit(JobSpec spec) {
        JobView job = jobs.submit(spec);
        return Response.accepted(job).location(UriBuilder.fromPath("/jobs/{id}").build(job.id())).build();
    }

    @GET
    @Operation(summary = "Every job, oldest first")
    public List<JobView> list() {
        return jobs.list();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A job: state, progress, trajectory so far, summary (Best/BSBA/Final) once succeeded")
    public JobView get(@PathParam("id") String id) {
        return jobs.get(id).orElseThrow(() -> notFound(id));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel a job (a finished job stays as it is)")
    public JobView cancel(@PathParam("id") String id) {
        return jobs.cancel(id).orElseThrow(() -> notFound(id));
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The job's events (JobEvent JSON) as server-sent events: the latest, then each new one "
            + "until the job finishes")
    public Multi<JobEvent> events(@PathParam("id") String id) {
        return jobs.events(id).orElseThrow(() -> notFound(id));
    }

    static NotFoundException notFound(String id) {
        return new NotFoundException(Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(tale.service.ApiError.of("no job " + id)).build());
    }
}
