package tale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model directory on disk: {@code config.json} and its tensors, from
 * {@code model.safetensors} or the shards listed in {@code model.safetensors.index.json}.
 * Only headers are read here; tensor bytes are mapped when asked for.
 */
public final class Checkpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final ModelConfig config;
    private final List<SafeTensorsFile> files;
    private final Map<String, SafeTensorsFile.Entry> tensors;
    private final Map<Path, SafeTensorsFile> fileByPath = new HashMap<>();

    private Checkpoint(Path dir, ModelConfig config, List<SafeTensorsFile> files) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.tensors = new LinkedHashMap<>();
        for (SafeTensorsFile f : files) {
            fileByPath.put(f.path(), f);
            tensors.putAll(f.entries());
        }
    }

    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw CheckpointException.at(dir, "not a directory (expected a Hugging Face model directory)");
        }
        ModelConfig config = ModelConfig.read(dir);
        List<SafeTensorsFile> files = new ArrayList<>();
        try {
            for (Path p : tensorFiles(dir)) files.add(SafeTensorsFile.open(p));
        } catch (RuntimeException e) {
            files.forEach(SafeTensorsFile::close);
            throw e;
        }
        return new Checkpoint(dir, config, files);
    }

    private static List<Path> tensorFiles(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(Files.readString(index));
            } catch (IOException e) {
                throw CheckpointException.at(index, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            JsonNode map = root == null ? null : root.get("weight_map");
            if (map == null || !map.isObject()) throw CheckpointException.at(index, "missing \"weight_map\"");
            List<Path> shards = new ArrayList<>();
            for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
                Path shard = dir.resolve(it.next().asText());
                if (!shards.contains(shard)) shards.add(shard);
            }
            return shards;
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (!Files.exists(single)) {
            throw CheckpointException.at(dir, "no " + SINGLE_FILE + " or " + INDEX_FILE);
        }
        return List.of(single);
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public Map<String, SafeTensorsFile.Entry> tensors() {
        return tensors;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The named tensor, checked against the shape the architecture requires. */
    public SafeTensorsFile.Entry tensor(String name, long... expectedShape) {
        SafeTensorsFile.Entry e = tensors.get(name);
        if (e == null) throw CheckpointException.at(dir, "missing tensor " + name);
        if (!Arrays.equals(e.shape(), expectedShape)) {
            throw CheckpointException.at(e.file(), "tensor " + name + " has shape " + Arrays.toString(e.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return e;
    }

    /** Maps {@code length} bytes of a tensor starting {@code from} bytes into it. */
    public ByteBuffer map(SafeTensorsFile.Entry e, long from, long length) {
        return fileByPath.get(e.file()).map(e.offset() + from, length);
    }

    @Override
    public void close() {
        files.forEach(SafeTensorsFile::close);
    }
}
