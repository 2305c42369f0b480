package tale.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import tale.core.model.Checkpoint;
import tale.core.model.SafeTensorsWriter;
import tale.core.model.TensorType;

/**
 * Writes trained tensors as the {@code model.safetensors} of a Hugging Face checkpoint directory that already
 * holds the config and tokenizer (an export of the source, or a new demo model), in the checkpoint's own dtype.
 * The file is written beside and then moved into place, so a model still mapping the old file is unharmed.
 */
public final class TrainedCheckpoint {

    private TrainedCheckpoint() { }

    /** The dtype of the tensors in {@code dir} (what a saved copy keeps). */
    public static TensorType dtype(Path dir) {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return ckpt.tensors().values().iterator().next().type();
        }
    }

    /** Replaces the tensor files of {@code dir} with {@code tensors}, stored as {@code type}. */
    public static void write(Path dir, Map<String, NDArray> tensors, TensorType type) throws IOException {
        SafeTensorsWriter writer = new SafeTensorsWriter(Map.of("format", "pt"));
        try (NDManager scope = NDManager.newBaseManager()) {
            tensors.forEach((name, t) -> {
                NDArray flat = t.reshape(-1);
                flat.attach(scope);
                NDArray f32 = flat.toType(DataType.FLOAT32, false);
                f32.attach(scope);
                writer.addFloats(name, type, t.getShape().getShape(), f32.toFloatArray());
            });
        }
        Path partial = dir.resolve(Checkpoint.SINGLE_FILE + ".partial");
        writer.write(partial);
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "*.safetensors")) {
            for (Path p : stale) Files.delete(p);
        }
        Files.deleteIfExists(dir.resolve(Checkpoint.INDEX_FILE));
        Files.move(partial, dir.resolve(Checkpoint.SINGLE_FILE), StandardCopyOption.ATOMIC_MOVE);
    }
}
