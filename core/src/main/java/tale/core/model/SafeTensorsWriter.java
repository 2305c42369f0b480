package tale.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes a {@code .safetensors} file in the layout Hugging Face's {@code safetensors} library writes. */
public final class SafeTensorsWriter {

    /** A tensor's bytes: in memory (or mapped), or a byte range of another file copied at write time. */
    private record Pending(String name, TensorType type, long[] shape, ByteBuffer data, Path file, long offset,
                           long length) {
        long size() {
            return data != null ? data.remaining() : length;
        }
    }

    private final List<Pending> tensors = new ArrayList<>();
    private final Map<String, String> metadata;

    public SafeTensorsWriter(Map<String, String> metadata) {
        this.metadata = metadata;
    }

    /** Adds raw little-endian bytes already in {@code type}'s encoding (copied from another file, say). */
    public SafeTensorsWriter addRaw(String name, TensorType type, long[] shape, ByteBuffer data) {
        tensors.add(new Pending(name, type, shape.clone(), data.duplicate().order(ByteOrder.LITTLE_ENDIAN), null, 0, 0));
        return this;
    }

    /**
     * Adds a tensor whose bytes are {@code length} bytes of {@code file} from {@code offset}, already in
     * {@code type}'s encoding. They are copied file to file when written, so neither the heap nor a 2 GiB
     * mapping limits the tensor's size.
     */
    public SafeTensorsWriter addFileRange(String name, TensorType type, long[] shape, Path file, long offset,
                                          long length) {
        tensors.add(new Pending(name, type, shape.clone(), null, file, offset, length));
        return this;
    }

    /** Adds f32 values, stored as {@code type} (BF16 and F16 round to nearest even). */
    public SafeTensorsWriter addFloats(String name, TensorType type, long[] shape, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * type.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (type) {
                case F32 -> buf.putFloat(v);
                case BF16 -> buf.putShort(TensorType.floatToBf16(v));
                case F16 -> buf.putShort(TensorType.floatToF16(v));
            }
        }
        return addRaw(name, type, shape, buf.flip());
    }

    public long byteSize() {
        return tensors.stream().mapToLong(Pending::size).sum();
    }

    public List<String> names() {
        return tensors.stream().map(Pending::name).toList();
    }

    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Pending t : tensors) {
            ObjectNode node = header.putObject(t.name);
            node.put("dtype", t.type.name());
            var shape = node.putArray("shape");
            for (long d : t.shape) shape.add(d);
            long length = t.size();
            node.putArray("data_offsets").add(offset).add(offset + length);
            offset += length;
        }
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8; // keeps tensor data 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(headerBytes);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (head.hasRemaining()) out.write(head);
            for (Pending t : tensors) {
                if (t.data != null) {
                    ByteBuffer data = t.data.duplicate();
                    while (data.hasRemaining()) out.write(data);
                } else {
                    copyRange(t, out);
                }
            }
        }
    }

    private static void copyRange(Pending t, FileChannel out) throws IOException {
        try (FileChannel in = FileChannel.open(t.file, StandardOpenOption.READ)) {
            long done = 0;
            while (done < t.length) {
                long n = in.transferTo(t.offset + done, t.length - done, out);
                if (n <= 0) throw new IOException(t.file + ": ended before tensor " + t.name + " was copied");
                done += n;
            }
        }
    }
}
