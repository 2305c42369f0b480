package tale.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights never pass through the Java heap: a checkpoint several times larger than the heap (and than
 * the JVM's default direct-memory limit, which equals the heap) loads and runs in a child JVM.
 */
class LowHeapLoadTest {

    static final String HEAP = "-Xmx48m";

    @TempDir
    Path tmp;

    @Test
    void checkpointsLargerThanTheHeapLoad() throws Exception {
        for (TensorType type : List.of(TensorType.F32, TensorType.BF16)) {
            Path dir = tmp.resolve(type.name());
            TinyCheckpoint.write(new TinyCheckpoint.Spec("llama", 4, 512, 4, 2, 0, 1536, 32000, 5, type, 1, false,
                    false, true, 0), dir);
            long bytes = Files.size(dir.resolve("model.safetensors"));
            assertTrue(bytes > 80L << 20, "checkpoint must dwarf the 48 MiB heap: " + bytes);

            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    HEAP, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                    LowHeapMain.class.getName(), dir.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("DJL_OFFLINE", "true");
            pb.environment().put("OPT_OUT_TRACKING", "true");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), type + " child failed:\n" + out);
            assertTrue(out.contains("logits 32000"), out);
        }
    }

    /** Child process: load and run one forward. */
    public static final class LowHeapMain {
        public static void main(String[] args) {
            try (Model model = Model.load(Path.of(args[0]))) {
                float[][] logits = model.logits(new int[] {256, 1, 2, 3}, model.fullMask());
                System.out.println("logits " + logits[3].length);
            }
        }
    }
}
