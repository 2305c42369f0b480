package tale.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * All weights of a decoder as NDArrays in the compute type. Linear weights are kept as transposed views
 * ({@code [in, out]}) so that the activation is always the first operand of a matmul: DJL gives an op's
 * result to the manager of its first operand, and weights must never collect per-request garbage.
 * F32 tensors are zero-copy views of the memory-mapped file; F16 and BF16 are widened off-heap.
 */
final class Weights implements AutoCloseable {

    /** Largest block converted or mapped at once; a Java buffer cannot exceed 2 GiB. */
    private static final long CHUNK_BYTES = 512L << 20;

    record Layer(
            NDArray attnNorm,  // [H]
            NDArray qT,        // [H, nh*hd]
            NDArray qBias,     // [nh*hd] or null
            NDArray kT,        // [H, nkv*hd]
            NDArray kBias,     // [nkv*hd] or null
            NDArray vT,        // [H, nkv*hd]
            NDArray vBias,     // [nkv*hd] or null
            NDArray oT,        // [nh*hd, H]
            NDArray oBias,     // [H] or null
            NDArray mlpNorm,   // [H]
            NDArray gateT,     // [H, I]
            NDArray gateBias,  // [I] or null
            NDArray upT,       // [H, I]
            NDArray upBias,    // [I] or null
            NDArray downT,     // [I, H]
            NDArray downBias   // [H] or null
    ) { }

    final NDManager manager;
    final NDArray embed;      // [V, H]
    final Layer[] layers;     // L
    final NDArray finalNorm;  // [H]
    final NDArray lmHeadT;    // [H, V]
    final NDArray attnScale;  // scalar 1/sqrt(hd), an NDArray so that autograd never sees a freed scalar

    private final DataType computeType;
    private final Checkpoint ckpt;

    Weights(Checkpoint ckpt, DataType computeType, Device device) {
        this.ckpt = ckpt;
        this.computeType = computeType;
        this.manager = NDManager.newBaseManager(device);
        try {
            ModelConfig c = ckpt.config();
            long h = c.hiddenSize(), inter = c.intermediateSize(), v = c.vocabSize();
            long q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
            embed = load("model.embed_tokens.weight", v, h);
            layers = new Layer[c.numLayers()];
            for (int i = 0; i < layers.length; i++) {
                String p = "model.layers." + i + ".";
                layers[i] = new Layer(
                        load(p + "input_layernorm.weight", h),
                        linearT(p + "self_attn.q_proj.weight", q, h),
                        c.qkvBias() ? load(p + "self_attn.q_proj.bias", q) : null,
                        linearT(p + "self_attn.k_proj.weight", kv, h),
                        c.qkvBias() ? load(p + "self_attn.k_proj.bias", kv) : null,
                        linearT(p + "self_attn.v_proj.weight", kv, h),
                        c.qkvBias() ? load(p + "self_attn.v_proj.bias", kv) : null,
                        linearT(p + "self_attn.o_proj.weight", h, q),
                        c.oBias() ? load(p + "self_attn.o_proj.bias", h) : null,
                        load(p + "post_attention_layernorm.weight", h),
                        linearT(p + "mlp.gate_proj.weight", inter, h),
                        c.mlpBias() ? load(p + "mlp.gate_proj.bias", inter) : null,
                        linearT(p + "mlp.up_proj.weight", inter, h),
                        c.mlpBias() ? load(p + "mlp.up_proj.bias", inter) : null,
                        linearT(p + "mlp.down_proj.weight", h, inter),
                        c.mlpBias() ? load(p + "mlp.down_proj.bias", h) : null);
            }
            finalNorm = load("model.norm.weight", h);
            if (ckpt.has("lm_head.weight") || !c.tieWordEmbeddings()) {
                lmHeadT = linearT("lm_head.weight", v, h);
            } else {
                lmHeadT = embed.transpose(); // tied: the LM head is the embedding matrix
            }
            attnScale = manager.create((float) (1.0 / Math.sqrt(c.headDim()))).toType(computeType, false);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private NDArray linearT(String name, long out, long in) {
        return load(name, out, in).transpose();
    }

    private NDArray load(String name, long... shape) {
        SafeTensorsFile.Entry e = ckpt.tensor(name, shape);
        long rowElems = 1;
        for (int i = 1; i < shape.length; i++) rowElems *= shape[i];
        long rows = shape.length == 0 ? 1 : shape[0];
        long outRowBytes = rowElems * 4;
        long rowsPerChunk = Math.max(1, Math.min(rows, CHUNK_BYTES / Math.max(1, outRowBytes)));
        List<NDArray> chunks = new ArrayList<>();
        for (long r = 0; r < rows; r += rowsPerChunk) {
            long n = Math.min(rowsPerChunk, rows - r);
            long[] chunkShape = shape.clone();
            if (chunkShape.length > 0) chunkShape[0] = n;
            chunks.add(loadChunk(e, r * rowElems, n * rowElems, new Shape(chunkShape)));
        }
        NDArray whole;
        if (chunks.size() == 1) {
            whole = chunks.get(0);
        } else {
            whole = NDArrays.concat(new NDList(chunks), 0);
            chunks.forEach(NDArray::close);
        }
        if (whole.getDevice().equals(manager.getDevice())) return whole;
        NDArray moved = whole.toDevice(manager.getDevice(), false);
        whole.close();
        return moved;
    }

    /** Elements [first, first+count) of a tensor as an array in the compute type. */
    private NDArray loadChunk(SafeTensorsFile.Entry e, long first, long count, Shape shape) {
        NDManager cpu = manager.getDevice().isGpu() ? manager.newSubManager(Device.cpu()) : manager;
        ByteBuffer raw = ckpt.map(e, first * e.type().bytes, count * e.type().bytes);
        NDArray f32;
        switch (e.type()) {
            case F32 -> f32 = cpu.create(raw, shape, DataType.FLOAT32);
            case F16 -> {
                NDArray half = cpu.create(raw, shape, DataType.FLOAT16);
                if (computeType == DataType.FLOAT16) return half;
                f32 = half.toType(DataType.FLOAT32, true);
                half.close();
            }
            case BF16 -> {
                // The PyTorch JNI has no bfloat16 mapping (creating one aborts the JVM): widen in Java.
                ByteBuffer wide = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
                ShortBuffer src = raw.asShortBuffer();
                for (int i = 0; i < count; i++) wide.putInt((src.get(i) & 0xffff) << 16);
                f32 = cpu.create(wide.flip(), shape, DataType.FLOAT32);
            }
            default -> throw new IllegalStateException(e.type().name());
        }
        if (computeType == DataType.FLOAT32) return f32;
        NDArray converted = f32.toType(computeType, true);
        f32.close();
        return converted;
    }

    DataType computeType() {
        return computeType;
    }

    @Override
    public void close() {
        manager.close();
    }
}
