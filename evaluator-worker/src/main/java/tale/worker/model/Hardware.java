package tale.worker.model;

import ai.djl.Device;
import java.util.Locale;
import org.jboss.logging.Logger;
import tale.core.InputException;
import tale.core.model.Djl;
import tale.core.model.Model;

/**
 * Where and how models are computed: {@code tale.worker.device} (cpu, gpu, gpu:N, auto) and
 * {@code tale.worker.precision} (f32, f16). f16 is for GPUs: PyTorch's f16 matmul on the CPU is two orders of
 * magnitude slower than f32, so on a CPU (device cpu, or auto on a machine without a GPU) the worker computes
 * in f32. DJL has no bf16 (platform notes), so bf16 checkpoints are widened at load either way.
 */
public record Hardware(String device, Model.Precision precision) {

    private static final Logger LOG = Logger.getLogger(Hardware.class);

    public static Model.Precision parsePrecision(String s) {
        return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> Model.Precision.F32;
            case "f16", "float16" -> Model.Precision.F16;
            default -> throw new InputException("tale.worker.precision must be f32 or f16, got \"" + s + "\"");
        };
    }

    /** The options models load with; starts the engine to see whether the device is a GPU. */
    public Model.Options modelOptions() {
        Device d = Djl.device(device);
        Model.Precision p = precision;
        if (p == Model.Precision.F16 && !d.isGpu()) {
            LOG.warnf("precision f16 asked for on %s: computing in f32 (f16 is for GPUs)", d);
            p = Model.Precision.F32;
        }
        return new Model.Options(p, device);
    }
}
