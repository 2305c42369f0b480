package tale.orchestrator.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import tale.orchestrator.dataset.DatasetStore;
import tale.service.ApiError;
import tale.service.TokenRequired;

/** Task files uploaded once and referenced by content hash in jobs; workers fetch them by id. */
@jakarta.ws.rs.Path("/datasets")
@TokenRequired
@SecurityRequirement(name = "token")
public class DatasetResource {

    /** What POST /datasets answers. */
    public record Created(String id, long bytes, String name) { }

    private final DatasetStore datasets;

    public DatasetResource(DatasetStore datasets) {
        this.datasets = datasets;
    }

    @POST
    @Consumes({"application/x-ndjson", "application/jsonl", MediaType.APPLICATION_JSON, "text/csv"})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload a task file (JSON Lines, JSON or CSV); 201 with its id, the SHA-256 of the content "
            + "(the same content always gets the same id)")
    public Response upload(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @QueryParam("name") String name) {
        DatasetStore.Stored stored = datasets.store(body == null ? InputStream.nullInputStream() : body, contentType, name);
        return Response.status(Response.Status.CREATED).location(java.net.URI.create("/datasets/" + stored.id()))
                .entity(new Created(stored.id(), stored.bytes(), stored.name())).build();
    }

    @GET
    @jakarta.ws.rs.Path("/{id}")
    @Produces({"application/x-ndjson", MediaType.APPLICATION_JSON, "text/csv", MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "The bytes of an uploaded dataset; Content-Disposition carries its file name")
    public Response download(@PathParam("id") String id) {
        Path file = datasets.file(id).orElseThrow(() -> new NotFoundException(Response.status(Response.Status.NOT_FOUND)
                .type(MediaType.APPLICATION_JSON_TYPE).entity(ApiError.of("no dataset " + id)).build()));
        String name = file.getFileName().toString();
        return Response.ok(file.toFile(), type(name))
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
    }

    private static String type(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl")) return "application/x-ndjson";
        if (lower.endsWith(".json")) return MediaType.APPLICATION_JSON;
        if (lower.endsWith(".csv")) return "text/csv";
        return MediaType.APPLICATION_OCTET_STREAM;
    }
}
