package tale.modelserver.model;

import tale.core.InputException;

/** A request's {@code model}: "name" (the full model) or "name:profile". */
public record ModelId(String model, String profile) {

    /** The profile every model has: all layers, never swapped. */
    public static final String FULL = "full";

    public static ModelId parse(String id) {
        if (id == null || id.isBlank()) throw new InputException("model is missing (\"name\" or \"name:profile\")");
        int colon = id.indexOf(':');
        if (colon < 0) return new ModelId(id, FULL);
        String model = id.substring(0, colon), profile = id.substring(colon + 1);
        if (model.isEmpty() || profile.isEmpty() || profile.indexOf(':') >= 0) {
            throw new InputException("model \"" + id + "\" is not \"name\" or \"name:profile\"");
        }
        return new ModelId(model, profile);
    }

    public static String format(String model, String profile) {
        return profile.equals(FULL) ? model : model + ":" + profile;
    }

    /** Profile and model names: letters, digits, '.', '_' and '-'. */
    public static void checkName(String kind, String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new InputException(kind + " name \"" + name + "\" must be letters, digits, '.', '_' or '-'");
        }
    }

    @Override
    public String toString() {
        return format(model, profile);
    }
}
