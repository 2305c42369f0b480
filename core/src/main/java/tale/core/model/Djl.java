package tale.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import tale.core.InputException;

/**
 * The one place the PyTorch engine is started. DJL must never reach the network: offline mode stops it
 * downloading natives (they come from the pytorch-native-cpu jar) and OPT_OUT_TRACKING stops its
 * start-up telemetry call. Both are set here, before the first engine use, whatever the caller's
 * environment says.
 */
public final class Djl {

    private static volatile boolean started;

    private Djl() { }

    public static synchronized void init() {
        if (started) return;
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.pytorch.num_interop_threads",
                System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
        String threads = System.getenv("TALE_THREADS");
        if (threads != null && !threads.isBlank() && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", threads.trim());
        }
        Engine.getEngine("PyTorch");
        started = true;
    }

    /** "cpu", "gpu", "gpu:N", or "auto" (the first GPU when the engine sees one, else the CPU). */
    public static Device device(String name) {
        init();
        String n = name == null ? "cpu" : name.trim().toLowerCase();
        Engine engine = Engine.getEngine("PyTorch");
        return switch (n) {
            case "cpu" -> Device.cpu();
            case "auto" -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            default -> {
                if (!n.startsWith("gpu")) throw new InputException("unknown device \"" + name + "\" (cpu, gpu, gpu:N, auto)");
                int id = n.equals("gpu") ? 0 : Integer.parseInt(n.substring(4));
                if (id >= engine.getGpuCount()) {
                    throw new InputException("device " + name + " is not available: the engine sees "
                            + engine.getGpuCount() + " GPU(s)");
                }
                yield Device.gpu(id);
            }
        };
    }
}
