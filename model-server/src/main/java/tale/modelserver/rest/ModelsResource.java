package tale.modelserver.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import tale.modelserver.model.ModelRegistry;
import tale.modelserver.model.Profile;
import tale.modelserver.model.ServedModel;
import tale.modelserver.rest.api.TaleInfo;

/** GET /v1/models: every model and profile a request may name, with the layers each runs now. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /** One entry; {@code id} is what a request's {@code model} field takes. */
    public record ModelEntry(String id, String object, long created, String owned_by, String state, TaleInfo tale) { }

    public record ModelList(String object, List<ModelEntry> data) { }

    private static final long STARTED = System.currentTimeMillis() / 1000;

    @Inject ModelRegistry registry;

    @GET
    public ModelList list() {
        List<ModelEntry> data = new ArrayList<>();
        for (ServedModel m : registry.models()) {
            for (Profile p : m.profiles()) {
                data.add(new ModelEntry(p.current().id(), "model", STARTED, "tale", m.state().name().toLowerCase(),
                        TaleInfo.of(p.current())));
            }
        }
        return new ModelList("list", data);
    }
}
