package tale.modelserver.rest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import tale.core.InputException;
import tale.modelserver.model.ModelId;
import tale.modelserver.model.ModelRegistry;
import tale.modelserver.model.Profile;
import tale.modelserver.model.ProfileChange;
import tale.modelserver.model.ProfileConflictException;
import tale.modelserver.model.ServedModel;
import tale.modelserver.rest.api.TaleInfo;

/**
 * Profile management: set a profile's mask (creating the profile), roll it back, read its history, delete
 * it. A swap takes effect for requests admitted after it; requests already admitted finish under the mask
 * they were admitted with. Every endpoint needs the admin bearer token.
 */
@Path("/admin/profiles")
@AdminOnly
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private static final Logger LOG = Logger.getLogger(AdminResource.class);

    /** PUT body: the layers the profile removes (0-based); [] runs every layer. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SetMask(List<Integer> layersRemoved, String reason) { }

    /** A profile now and how it got there. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ProfileView(String id, TaleInfo current, int rollbackDepth, List<ProfileChange> history) {
        static ProfileView of(Profile p) {
            return new ProfileView(p.current().id(), TaleInfo.of(p.current()), p.rollbackDepth(), p.history());
        }
    }

    @Inject ModelRegistry registry;

    @GET
    public List<ProfileView> all() {
        List<ProfileView> out = new ArrayList<>();
        for (ServedModel m : registry.models()) m.profiles().forEach(p -> out.add(ProfileView.of(p)));
        return out;
    }

    @GET
    @Path("{id}")
    public ProfileView get(@PathParam("id") String id) {
        return ProfileView.of(profile(id));
    }

    @GET
    @Path("{id}/history")
    public List<ProfileChange> history(@PathParam("id") String id) {
        return profile(id).history();
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("id") String id, SetMask body) {
        if (body == null || body.layersRemoved() == null) throw new InputException("body needs \"layers_removed\": [..]");
        ModelId target = profileId(id);
        String source = "admin" + (body.reason() == null || body.reason().isBlank() ? "" : ": " + body.reason());
        ServedModel.ProfileUpdate update = registry.setProfile(target.model(), target.profile(), body.layersRemoved(), source);
        return Response.status(update.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(ProfileView.of(update.profile())).build();
    }

    @POST
    @Path("{id}/rollback")
    public ProfileView rollback(@PathParam("id") String id) {
        Profile p = profile(id);
        var d = p.rollback("admin rollback").orElseThrow(() ->
                new ProfileConflictException("profile " + id + " has no earlier mask to roll back to"));
        LOG.infof("profile %s v%d rolled back to [%s]", d.id(), d.version(), d.mask());
        return ProfileView.of(p);
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        ModelId target = profileId(id);
        registry.removeProfile(target.model(), target.profile());
        return Response.noContent().build();
    }

    private Profile profile(String id) {
        ModelId target = ModelId.parse(id);
        return registry.model(target.model()).profile(target.profile());
    }

    /** Admin changes name the profile explicitly: "model:profile". */
    private static ModelId profileId(String id) {
        if (id == null || id.indexOf(':') < 0) throw new InputException("name the profile as model:profile, got \"" + id + "\"");
        return ModelId.parse(id);
    }
}
