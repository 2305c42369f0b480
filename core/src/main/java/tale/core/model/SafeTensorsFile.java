package tale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A read-only view of one {@code .safetensors} file: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the raw data. Tensors are memory-mapped
 * on demand so weights never pass through the Java heap. DJL's own reader is not used: it crashes on
 * BF16 and fails past 2 GiB.
 */
public final class SafeTensorsFile implements AutoCloseable {

    /** One tensor: its absolute byte range in the file. */
    public record Entry(String name, TensorType type, long[] shape, long offset, long length, Path file) {
        public long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private static final long MAX_HEADER = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private SafeTensorsFile(Path path, FileChannel channel, Map<String, Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.entries = entries;
    }

    public static SafeTensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw CheckpointException.at(path, "missing");
        } catch (IOException e) {
            throw CheckpointException.at(path, "cannot be opened: " + e.getMessage());
        }
        try {
            return new SafeTensorsFile(path, channel, readHeader(path, channel));
        } catch (RuntimeException | IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the parse error is the one worth reporting
            }
            if (e instanceof CheckpointException ce) throw ce;
            throw CheckpointException.at(path, "unreadable safetensors file: " + e.getMessage());
        }
    }

    private static Map<String, Entry> readHeader(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) throw CheckpointException.at(path, "truncated safetensors file (" + size + " bytes)");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER) {
            throw CheckpointException.at(path, "not a safetensors file (header length " + headerLen + ")");
        }
        if (8 + headerLen > size) {
            throw CheckpointException.at(path, "truncated safetensors file: header needs " + (8 + headerLen)
                    + " bytes, file has " + size);
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLen);
        while (header.hasRemaining()) {
            if (channel.read(header, 8 + header.position()) < 0) break;
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw CheckpointException.at(path, "malformed safetensors header: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) throw CheckpointException.at(path, "malformed safetensors header");
        long dataStart = 8 + headerLen;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (name.equals("__metadata__")) continue;
            JsonNode t = field.getValue();
            TensorType type = TensorType.parse(t.path("dtype").asText());
            if (type == null) {
                throw CheckpointException.at(path, "tensor " + name + " has unsupported dtype "
                        + t.path("dtype").asText() + " (supported: F32, F16, BF16)");
            }
            JsonNode shapeNode = t.path("shape");
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong();
            JsonNode offsets = t.path("data_offsets");
            long begin = offsets.path(0).asLong(-1);
            long end = offsets.path(1).asLong(-1);
            Entry e = new Entry(name, type, shape, dataStart + begin, end - begin, path);
            if (begin < 0 || end < begin || e.elements() * type.bytes != end - begin) {
                throw CheckpointException.at(path, "tensor " + name + " has inconsistent data_offsets "
                        + offsets + " for shape " + shapeNode + " " + type);
            }
            if (dataStart + end > size) {
                throw CheckpointException.at(path, "truncated safetensors file: tensor " + name + " ends at byte "
                        + (dataStart + end) + ", file has " + size);
            }
            entries.put(name, e);
        }
        return entries;
    }

    public Path path() {
        return path;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** Maps bytes [offset, offset+length) of this file read-only, little-endian; length must be < 2 GiB. */
    public ByteBuffer map(long offset, long length) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw CheckpointException.at(path, "cannot map " + length + " bytes at " + offset + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only file: nothing to flush
        }
    }
}
