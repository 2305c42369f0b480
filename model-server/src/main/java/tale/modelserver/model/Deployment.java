package tale.modelserver.model;

import tale.core.model.LayerMask;

/**
 * A profile's mask at one version. A request takes this snapshot when it is admitted and runs wholly
 * under it, whatever swaps land meanwhile; its response reports it.
 */
public record Deployment(String model, String profile, int version, LayerMask mask) {

    /** "model" for the full profile, else "model:profile". */
    public String id() {
        return ModelId.format(model, profile);
    }

    /** The removed layers as the X-Tale-Layers-Removed header gives them: "3,5", or "none". */
    public String removedHeader() {
        return mask.removed().isEmpty() ? "none" : mask.toString();
    }
}
