package tale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tale.core.InputException;

/**
 * Writes a Hugging Face checkpoint with layers physically removed: the kept layers' tensors are copied
 * byte for byte (same dtype) under renumbered {@code model.layers.N.} names, {@code config.json} gets the
 * new {@code num_hidden_layers} (and {@code layer_types} / {@code max_window_layers} when present), and
 * the tokenizer files are copied. The result loads in this runtime and in {@code transformers}, and its
 * full forward equals the source's forward under the same layer mask.
 *
 * <p>Sharding follows the source: a single {@code model.safetensors} stays one file; a sharded checkpoint
 * keeps one output shard per source shard (minus shards left empty), renamed
 * {@code model-0000i-of-0000N.safetensors}, with a new {@code model.safetensors.index.json}.
 */
public final class CheckpointExport {

    /** Files copied unchanged when the source has them: the tokenizer, chat template, generation defaults. */
    public static final List<String> COPIED_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "generation_config.json", "chat_template.jinja", "special_tokens_map.json", "added_tokens.json",
            "vocab.json", "merges.txt", "tokenizer.model");

    /** What was written. */
    public record Result(Path out, int sourceLayers, List<Integer> removed, int layers, int tensorFiles, long bytes) { }

    private static final Pattern LAYER_TENSOR = Pattern.compile("^model\\.layers\\.(\\d+)\\.(.+)$");

    private CheckpointExport() { }

    /** Exports {@code source} without the layers listed in {@code drop} ("3,5", as {@code --drop} takes them). */
    public static Result export(Path source, String drop, Path out, boolean force) throws IOException {
        ModelConfig config = ModelConfig.read(source);
        return export(source, LayerMask.parse(config.numLayers(), drop), out, force);
    }

    /** Exports {@code source} keeping only the active layers of {@code mask}. */
    public static Result export(Path source, LayerMask mask, Path out, boolean force) throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(source)) {
            int layers = ckpt.config().numLayers();
            if (mask.numLayers() != layers) {
                throw new InputException("layer mask is for " + mask.numLayers() + " layers, " + source + " has " + layers);
            }
            if (mask.activeCount() == 0) {
                throw new InputException("--drop removes all " + layers + " layers of " + source + "; at least one must remain");
            }
            prepareOutput(source, out, force);
            int[] renumbered = renumbering(mask);
            Map<Path, SafeTensorsWriter> shards = copyTensors(ckpt, renumbered, mask);
            long bytes = writeTensorFiles(source, out, shards);
            writeConfig(source, out, mask);
            for (String name : COPIED_FILES) {
                Path file = source.resolve(name);
                if (Files.isRegularFile(file)) Files.copy(file, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
            return new Result(out, layers, mask.removed(), mask.activeCount(), shards.size(), bytes);
        }
    }

    /** New index of each old layer, or -1 when removed. */
    private static int[] renumbering(LayerMask mask) {
        int[] index = new int[mask.numLayers()];
        int next = 0;
        for (int l = 0; l < index.length; l++) index[l] = mask.isActive(l) ? next++ : -1;
        return index;
    }

    private static void prepareOutput(Path source, Path out, boolean force) throws IOException {
        Path src = source.toAbsolutePath().normalize();
        Path dst = out.toAbsolutePath().normalize();
        if (dst.equals(src) || (Files.exists(out) && Files.isSameFile(source, out))) {
            throw new InputException("--out " + out + " is the source directory; choose a new directory");
        }
        if (src.startsWith(dst)) {
            throw new InputException("--out " + out + " contains the source directory " + source + "; choose a new directory");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new InputException("--out " + out + " exists and is not a directory");
        }
        if (Files.isDirectory(out)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(out)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !force) {
                throw new InputException("--out " + out + " is not empty (use --force to overwrite)");
            }
            // Stale tensor files would be picked up by loaders that glob *.safetensors.
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(out, "*.safetensors")) {
                for (Path p : stale) Files.delete(p);
            }
            Files.deleteIfExists(out.resolve(Checkpoint.INDEX_FILE));
        }
        Files.createDirectories(out);
    }

    /** One writer per source tensor file, holding that file's kept tensors under their new names. */
    private static Map<Path, SafeTensorsWriter> copyTensors(Checkpoint ckpt, int[] renumbered, LayerMask mask) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("tale_removed_layers", mask.toString());
        metadata.put("tale_source_num_hidden_layers", Integer.toString(mask.numLayers()));
        Map<Path, SafeTensorsWriter> writers = new LinkedHashMap<>();
        for (SafeTensorsFile.Entry e : ckpt.tensors().values()) {
            String name = e.name();
            Matcher m = LAYER_TENSOR.matcher(name);
            if (m.matches()) {
                int layer = Integer.parseInt(m.group(1));
                if (layer >= renumbered.length) {
                    throw CheckpointException.at(e.file(), "tensor " + name + " belongs to layer " + layer
                            + ", but config.json has " + renumbered.length + " layers");
                }
                if (renumbered[layer] < 0) continue;
                name = "model.layers." + renumbered[layer] + "." + m.group(2);
            }
            writers.computeIfAbsent(e.file(), f -> new SafeTensorsWriter(metadata))
                    .addFileRange(name, e.type(), e.shape(), e.file(), e.offset(), e.length());
        }
        return writers;
    }

    private static long writeTensorFiles(Path source, Path out, Map<Path, SafeTensorsWriter> shards) throws IOException {
        long bytes = shards.values().stream().mapToLong(SafeTensorsWriter::byteSize).sum();
        if (!Files.exists(source.resolve(Checkpoint.INDEX_FILE))) {
            shards.values().iterator().next().write(out.resolve(Checkpoint.SINGLE_FILE));
            return bytes;
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", bytes);
        ObjectNode weightMap = index.putObject("weight_map");
        List<SafeTensorsWriter> writers = new ArrayList<>(shards.values());
        for (int i = 0; i < writers.size(); i++) {
            String file = String.format("model-%05d-of-%05d.safetensors", i + 1, writers.size());
            writers.get(i).write(out.resolve(file));
            for (String name : writers.get(i).names()) weightMap.put(name, file);
        }
        json.writeValue(out.resolve(Checkpoint.INDEX_FILE).toFile(), index);
        return bytes;
    }

    /** config.json with the layer count and per-layer settings of the kept layers; every other key unchanged. */
    private static void writeConfig(Path source, Path out, LayerMask mask) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path file = source.resolve("config.json");
        ObjectNode config = (ObjectNode) json.readTree(Files.readString(file));
        config.put("num_hidden_layers", mask.activeCount());
        JsonNode types = config.get("layer_types");
        if (types != null && types.isArray()) {
            if (types.size() != mask.numLayers()) {
                throw CheckpointException.at(file, "layer_types has " + types.size() + " entries for "
                        + mask.numLayers() + " layers");
            }
            ArrayNode kept = json.createArrayNode();
            for (int l : mask.active()) kept.add(types.get(l));
            config.set("layer_types", kept);
        }
        JsonNode windowLayers = config.get("max_window_layers");
        if (windowLayers != null && windowLayers.isInt()) {
            // Layers below max_window_layers use full attention; keep each kept layer's kind.
            int below = windowLayers.asInt();
            config.put("max_window_layers", (int) mask.active().stream().filter(l -> l < below).count());
        }
        json.writeValue(out.resolve("config.json").toFile(), config);
    }
}
