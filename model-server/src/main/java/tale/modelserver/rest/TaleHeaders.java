package tale.modelserver.rest;

import java.util.LinkedHashMap;
import java.util.Map;
import tale.modelserver.model.Deployment;

/** Response headers naming the deployment a request ran under (the same facts as the {@code tale} field). */
public final class TaleHeaders {

    public static final String MODEL = "X-Tale-Model";
    public static final String PROFILE_VERSION = "X-Tale-Profile-Version";
    public static final String LAYERS_REMOVED = "X-Tale-Layers-Removed";

    private TaleHeaders() { }

    public static Map<String, String> of(Deployment d) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(MODEL, d.id());
        h.put(PROFILE_VERSION, Integer.toString(d.version()));
        h.put(LAYERS_REMOVED, d.removedHeader());
        return h;
    }
}
