package tale.cli;

import tale.core.InputException;
import tale.core.model.Model;

final class Precisions {
    private Precisions() { }

    static Model.Precision parse(String s) {
        return switch (s.toLowerCase()) {
            case "f32", "float32" -> Model.Precision.F32;
            case "f16", "float16" -> Model.Precision.F16;
            default -> throw new InputException("--precision must be f32 or f16, got \"" + s + "\"");
        };
    }
}
