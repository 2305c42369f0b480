package tale.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import tale.core.InputException;

/**
 * All weights of a decoder as NDArrays in the compute type. Linear weights are kept as transposed views
 * ({@code [in, out]}) so that the activation is always the first operand of a matmul: DJL gives an op's
 * result to the manager of its first operand, and weights must never collect per-request garbage.
 * F32 tensors are zero-copy views of the memory-mapped file; F16 and BF16 are widened off-heap.
 */
final class Weights implements AutoCloseable {

    /** A Java buffer (and so one mapping) cannot exceed 2 GiB. Lowered by tests to exercise blocks. */
    static long maxMappedBytes = Integer.MAX_VALUE;
    /** f32 bytes filled per block when a tensor is loaded block by block. Lowered by tests. */
    static long blockBytes = 16L << 20;

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
    private final boolean tiedHead; // the LM head is the embedding matrix

    private final DataType computeType;
    private final Checkpoint ckpt;
    private ByteBuffer widen;          // reused for every BF16 block
    private NDManager cpuStaging;      // host arrays on their way to a GPU

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
                tiedHead = false;
            } else {
                tiedHead = true;
                lmHeadT = embed.transpose(); // tied: the LM head is the embedding matrix
            }
            attnScale = manager.create((float) (1.0 / Math.sqrt(c.headDim()))).toType(computeType, false);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        } finally {
            if (cpuStaging != null) cpuStaging.close();
            widen = null;
        }
    }

    /**
     * Weights made of the given tensors (Hugging Face names and layouts, as {@link #tensors()} gives them), e.g.
     * trainable copies. The arrays are used as they are, never copied or modified; {@code manager} receives
     * what the forward creates. The compute type is the embedding's type.
     */
    Weights(ModelConfig c, Map<String, NDArray> tensors, NDManager manager) {
        this.ckpt = null;
        this.manager = manager;
        this.computeType = required(tensors, "model.embed_tokens.weight").getDataType();
        embed = required(tensors, "model.embed_tokens.weight");
        layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(
                    required(tensors, p + "input_layernorm.weight"),
                    required(tensors, p + "self_attn.q_proj.weight").transpose(),
                    c.qkvBias() ? required(tensors, p + "self_attn.q_proj.bias") : null,
                    required(tensors, p + "self_attn.k_proj.weight").transpose(),
                    c.qkvBias() ? required(tensors, p + "self_attn.k_proj.bias") : null,
                    required(tensors, p + "self_attn.v_proj.weight").transpose(),
                    c.qkvBias() ? required(tensors, p + "self_attn.v_proj.bias") : null,
                    required(tensors, p + "self_attn.o_proj.weight").transpose(),
                    c.oBias() ? required(tensors, p + "self_attn.o_proj.bias") : null,
                    required(tensors, p + "post_attention_layernorm.weight"),
                    required(tensors, p + "mlp.gate_proj.weight").transpose(),
                    c.mlpBias() ? required(tensors, p + "mlp.gate_proj.bias") : null,
                    required(tensors, p + "mlp.up_proj.weight").transpose(),
                    c.mlpBias() ? required(tensors, p + "mlp.up_proj.bias") : null,
                    required(tensors, p + "mlp.down_proj.weight").transpose(),
                    c.mlpBias() ? required(tensors, p + "mlp.down_proj.bias") : null);
        }
        finalNorm = required(tensors, "model.norm.weight");
        NDArray head = tensors.get("lm_head.weight");
        lmHeadT = head != null ? head.transpose() : embed.transpose();
        tiedHead = head == null;
        attnScale = manager.create((float) (1.0 / Math.sqrt(c.headDim()))).toType(computeType, false);
    }

    private static NDArray required(Map<String, NDArray> tensors, String name) {
        NDArray t = tensors.get(name);
        if (t == null) throw new InputException("no tensor " + name + " among the given weights");
        return t;
    }

    /**
     * Every weight by its Hugging Face name, in the checkpoint's layout ({@code [out, in]} for linear layers):
     * views of the loaded arrays, to be read or copied, never modified. A tied LM head is not listed.
     */
    Map<String, NDArray> tensors() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", embed);
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            Layer l = layers[i];
            m.put(p + "input_layernorm.weight", l.attnNorm());
            putLinear(m, p + "self_attn.q_proj", l.qT(), l.qBias());
            putLinear(m, p + "self_attn.k_proj", l.kT(), l.kBias());
            putLinear(m, p + "self_attn.v_proj", l.vT(), l.vBias());
            putLinear(m, p + "self_attn.o_proj", l.oT(), l.oBias());
            m.put(p + "post_attention_layernorm.weight", l.mlpNorm());
            putLinear(m, p + "mlp.gate_proj", l.gateT(), l.gateBias());
            putLinear(m, p + "mlp.up_proj", l.upT(), l.upBias());
            putLinear(m, p + "mlp.down_proj", l.downT(), l.downBias());
        }
        m.put("model.norm.weight", finalNorm);
        if (!tiedHead) m.put("lm_head.weight", lmHeadT.transpose());
        return m;
    }

    private static void putLinear(Map<String, NDArray> m, String prefix, NDArray weightT, NDArray bias) {
        m.put(prefix + ".weight", weightT.transpose());
        if (bias != null) m.put(prefix + ".bias", bias);
    }

    private NDArray linearT(String name, long out, long in) {
        return load(name, out, in).transpose();
    }

    private NDArray load(String name, long... shape) {
        SafeTensorsFile.Entry e = ckpt.tensor(name, shape);
        NDArray whole = e.type() == TensorType.BF16 || e.length() > maxMappedBytes ? loadInBlocks(e) : loadMapped(e);
        if (whole.getDevice().equals(manager.getDevice())) return whole;
        NDArray moved = whole.toDevice(manager.getDevice(), false);
        moved.attach(manager); // results belong to the first operand's manager: the host staging one
        whole.close();
        return moved;
    }

    /** A tensor small enough for one mapping: zero-copy for F32, converted by the engine for F16. */
    private NDArray loadMapped(SafeTensorsFile.Entry e) {
        ByteBuffer raw = ckpt.map(e, 0, e.length());
        Shape shape = new Shape(e.shape());
        NDArray mapped = cpu().create(raw, shape, e.type() == TensorType.F16 ? DataType.FLOAT16 : DataType.FLOAT32);
        if (mapped.getDataType() == computeType) return mapped;
        NDArray converted = mapped.toType(computeType, true);
        mapped.close();
        return converted;
    }

    /**
     * BF16 tensors, and tensors past one mapping's 2 GiB limit, are filled block by block into an array the
     * engine allocates. The PyTorch JNI has no bfloat16 mapping (creating one aborts the JVM), so BF16 is
     * widened in Java through one small reusable direct buffer: native memory the JVM's direct-memory limit
     * does not see grows with the model, not with the JVM's settings.
     */
    private NDArray loadInBlocks(SafeTensorsFile.Entry e) {
        long[] shape = e.shape();
        long rows = shape.length == 0 ? 1 : shape[0];
        long rowElems = e.elements() / Math.max(1, rows);
        long rowsPerBlock = Math.max(1, Math.min(rows, blockBytes / Math.max(1, rowElems * 4)));
        NDArray target = cpu().zeros(new Shape(shape), computeType);
        for (long r = 0; r < rows; r += rowsPerBlock) {
            long n = Math.min(rowsPerBlock, rows - r);
            long[] blockShape = shape.clone();
            if (blockShape.length > 0) blockShape[0] = n;
            long first = r * rowElems, count = n * rowElems;
            ByteBuffer raw = ckpt.map(e, first * e.type().bytes, count * e.type().bytes);
            NDArray block;
            if (e.type() == TensorType.BF16) {
                ByteBuffer wide = widenBuffer(count);
                ShortBuffer src = raw.asShortBuffer();
                for (int i = 0; i < count; i++) wide.putInt(i * 4, (src.get(i) & 0xffff) << 16);
                block = cpu().create(wide.limit((int) (count * 4)), new Shape(blockShape), DataType.FLOAT32);
            } else {
                block = cpu().create(raw, new Shape(blockShape), e.type() == TensorType.F16 ? DataType.FLOAT16 : DataType.FLOAT32);
            }
            NDArray typed = block.getDataType() == computeType ? block : block.toType(computeType, true);
            target.set(new NDIndex(r + ":" + (r + n)), typed);
            typed.close();
            block.close();
        }
        return target;
    }

    private ByteBuffer widenBuffer(long elements) {
        if (widen == null) widen = ByteBuffer.allocateDirect((int) blockBytes).order(ByteOrder.nativeOrder());
        return widen.clear();
    }

    private NDManager cpu() {
        if (!manager.getDevice().isGpu()) return manager;
        if (cpuStaging == null) cpuStaging = manager.newSubManager(Device.cpu());
        return cpuStaging;
    }

    DataType computeType() {
        return computeType;
    }

    @Override
    public void close() {
        manager.close();
    }
}
