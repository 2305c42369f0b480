package tale.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tale.core.InputException;

/**
 * A batch of sequences part-way through the decoder: the residual stream at one layer boundary, plus the
 * key/value cache of every layer run so far. Sequences are left-padded to a common length T so that
 * their last tokens line up for generation; padding is masked out of attention.
 *
 * <p>The state can be advanced layer by layer ({@link #runLayer}), with skipped layers acting as the
 * identity, so a layer mask is simply the set of layers run. {@link #fork()} copies the state cheaply
 * (arrays are shared, never modified in place), which is how a search resumes many candidates from
 * one shared prefix. A fork must be closed before the state it came from.
 */
public final class ForwardState implements AutoCloseable {

    private final Model model;
    private final ModelConfig cfg;
    private final Weights w;
    private final NDManager manager;
    private final int batch;          // B
    private final int padded;         // T: length after left padding
    private final int[] lengths;      // [B] real tokens per sequence
    private final NDArray[] kCache;   // per layer [B, nkv, S, hd], null while the layer has not run
    private final NDArray[] vCache;   // per layer [B, nkv, S, hd]
    private NDArray hidden;           // [B, T, H] entering layer `next`
    private int next;                 // the layer boundary `hidden` sits at
    private NDArray cos;              // [B, 1, T, hd]
    private NDArray sin;              // [B, 1, T, hd]
    private final Map<Integer, NDArray> masks = new HashMap<>(); // window -> [B, 1, 1, T, T] additive

    private ForwardState(Model model, NDManager manager, int[] lengths, int padded, NDArray hidden, int next,
                         NDArray[] kCache, NDArray[] vCache, NDArray cos, NDArray sin) {
        this.model = model;
        this.cfg = model.config();
        this.w = model.weights();
        this.manager = manager;
        this.batch = lengths.length;
        this.padded = padded;
        this.lengths = lengths;
        this.hidden = hidden;
        this.next = next;
        this.kCache = kCache;
        this.vCache = vCache;
        this.cos = cos;
        this.sin = sin;
    }

    /** Embeds the sequences: the state entering layer 0. */
    static ForwardState start(Model model, List<int[]> sequences) {
        ModelConfig cfg = model.config();
        if (sequences.isEmpty()) throw new InputException("no sequences to run");
        int[] lengths = new int[sequences.size()];
        int padded = 0;
        for (int b = 0; b < lengths.length; b++) {
            int[] seq = sequences.get(b);
            if (seq.length == 0) throw new InputException("sequence " + b + " is empty");
            for (int t : seq) {
                if (t < 0 || t >= cfg.vocabSize()) {
                    throw new InputException("token id " + t + " is outside the vocabulary (size "
                            + cfg.vocabSize() + ")");
                }
            }
            lengths[b] = seq.length;
            padded = Math.max(padded, seq.length);
        }
        NDManager manager = model.weights().manager.newSubManager();
        try {
            long[] ids = new long[lengths.length * padded];
            float[] positions = new float[lengths.length * padded];
            for (int b = 0; b < lengths.length; b++) {
                int pad = padded - lengths[b];
                int[] seq = sequences.get(b);
                for (int t = 0; t < padded; t++) {
                    ids[b * padded + t] = t < pad ? seq[0] : seq[t - pad]; // pad slots repeat a real token; masked
                    positions[b * padded + t] = Math.max(0, t - pad);
                }
            }
            NDArray hidden = model.embed(manager, ids, new Shape(lengths.length, padded));
            NDArray[] rope = model.rope(manager, positions, lengths.length, padded);
            return new ForwardState(model, manager, lengths, padded, hidden, 0,
                    new NDArray[cfg.numLayers()], new NDArray[cfg.numLayers()], rope[0], rope[1]);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public int batchSize() {
        return batch;
    }

    /** The layer boundary the state sits at: the residual stream entering this layer (L = after all). */
    public int boundary() {
        return next;
    }

    public boolean hasRun(int layer) {
        return kCache[layer] != null;
    }

    /** Runs layer {@code layer}; layers between the current boundary and it are skipped. */
    public ForwardState runLayer(int layer) {
        if (layer < next || layer >= cfg.numLayers()) {
            throw new IllegalStateException("cannot run layer " + layer + " from boundary " + next);
        }
        NDArray out = layer(hidden, layer, cos, sin, mask(cfg.slidingWindowPerLayer()[layer]));
        replaceHidden(out);
        next = layer + 1;
        return this;
    }

    /** Moves to {@code boundary} running the layers of {@code mask} on the way. */
    public ForwardState runTo(LayerMask mask, int boundary) {
        for (int l = next; l < boundary; l++) {
            if (mask.isActive(l)) runLayer(l);
        }
        next = Math.max(next, boundary);
        return this;
    }

    /** Runs every remaining layer of {@code mask}. */
    public ForwardState runAll(LayerMask mask) {
        return runTo(mask, cfg.numLayers());
    }

    /** Skips to {@code boundary} without running anything (identity on the residual stream). */
    public ForwardState skipTo(int boundary) {
        if (boundary < next) throw new IllegalStateException("cannot skip back to " + boundary + " from " + next);
        next = boundary;
        return this;
    }

    /** A copy sharing this state's arrays; advancing it leaves this state unchanged. Close it first. */
    public ForwardState fork() {
        return new ForwardState(model, manager.newSubManager(), lengths, padded, hidden, next,
                kCache.clone(), vCache.clone(), cos, sin);
    }

    /** Logits at the given positions of each sequence (0-based within the unpadded sequence). */
    public List<float[][]> logitsAt(List<int[]> positions) {
        return readRows(positions, true);
    }

    /** The residual stream at the given positions (no final norm): [seq][position][H]. */
    public List<float[][]> hiddenAt(List<int[]> positions) {
        return readRows(positions, false);
    }

    /**
     * log p(target | prefix) at each position: for sequence b, entry j is the log-probability of
     * {@code targets.get(b)[j]} from the logits at {@code positions.get(b)[j]}. Computed in the engine;
     * only the requested numbers cross to Java.
     */
    public List<float[]> logProbsAt(List<int[]> positions, List<int[]> targets) {
        List<float[]> out = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            long[] flat = flatIndex(positions);
            long[] targetFlat = new long[flat.length];
            int i = 0;
            for (int[] t : targets) for (int id : t) targetFlat[i++] = id;
            if (i != flat.length) throw new IllegalArgumentException("positions and targets differ in length");
            if (flat.length == 0) {
                positions.forEach(p -> out.add(new float[0]));
                return out;
            }
            NDArray logits = logitsRows(scope, flat).toType(DataType.FLOAT32, false);   // [N, V]
            NDArray logProbs = logits.logSoftmax(-1);                                  // [N, V]
            NDArray picked = logProbs.gather(scope.create(targetFlat, new Shape(flat.length, 1)), 1); // [N, 1]
            float[] values = picked.toFloatArray();
            int k = 0;
            for (int[] p : positions) {
                float[] row = new float[p.length];
                for (int j = 0; j < p.length; j++) row[j] = values[k++];
                out.add(row);
            }
        }
        return out;
    }

    /**
     * Greedy decoding from the end of each sequence, using exactly the layers this state ran (its KV
     * cache). The state must be past the last layer. Generation stops per sequence at a stop token (not
     * included in the output) or after {@code maxNewTokens}.
     */
    public List<Generation> generate(int maxNewTokens, Set<Integer> stopTokens) {
        return generate(maxNewTokens, stopTokens, null);
    }

    /**
     * {@link #generate(int, Set)}, telling {@code listener} of each token as it is produced, so a server can
     * stream it; {@code listener} may be null.
     */
    public List<Generation> generate(int maxNewTokens, Set<Integer> stopTokens, TokenListener listener) {
        if (next != cfg.numLayers()) throw new IllegalStateException("generate needs the state after the last layer");
        List<List<Integer>> produced = new ArrayList<>();
        boolean[] stopped = new boolean[batch];
        for (int b = 0; b < batch; b++) produced.add(new ArrayList<>());
        int[] last = new int[batch];
        for (int b = 0; b < batch; b++) last[b] = padded - 1;
        int[] tokens = argmaxRows(last);
        int cacheLength = padded;
        for (int step = 0; step < maxNewTokens; step++) {
            boolean allStopped = true;
            for (int b = 0; b < batch; b++) {
                if (!stopped[b] && stopTokens.contains(tokens[b])) {
                    stopped[b] = true;
                    if (listener != null) listener.onStop(b);
                }
                if (!stopped[b]) {
                    produced.get(b).add(tokens[b]);
                    if (listener != null) listener.onToken(b, tokens[b]);
                }
                allStopped &= stopped[b];
            }
            if (allStopped || step == maxNewTokens - 1) break;
            tokens = decodeStep(tokens, cacheLength);
            cacheLength++;
        }
        List<Generation> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            out.add(new Generation(produced.get(b).stream().mapToInt(Integer::intValue).toArray(), stopped[b]));
        }
        return out;
    }

    /** Tokens produced for one sequence, and whether it ended on a stop token. */
    public record Generation(int[] tokens, boolean stopped) { }

    /** Hears greedy decoding as it goes: each produced token, and each sequence's stop token. */
    public interface TokenListener {
        /** Sequence {@code sequence} of the batch produced {@code token} (never a stop token). */
        void onToken(int sequence, int token);

        /** Sequence {@code sequence} reached a stop token and produces nothing more. */
        default void onStop(int sequence) { }
    }

    /** One decode step: feeds one token per sequence through the cached layers; returns the next tokens. */
    private int[] decodeStep(int[] tokens, int cacheLength) {
        try (NDManager scope = manager.newSubManager()) {
            long[] ids = new long[batch];
            float[] positions = new float[batch];
            for (int b = 0; b < batch; b++) {
                ids[b] = tokens[b];
                positions[b] = lengths[b] + (cacheLength - padded);
            }
            NDArray x = model.embed(scope, ids, new Shape(batch, 1));          // [B, 1, H]
            NDArray[] rope = model.rope(scope, positions, batch, 1);           // [B, 1, 1, hd]
            Map<Integer, NDArray> stepMasks = new HashMap<>();
            for (int l = 0; l < cfg.numLayers(); l++) {
                if (kCache[l] == null) continue;
                int window = cfg.slidingWindowPerLayer()[l];
                NDArray m = stepMasks.computeIfAbsent(window, win -> decodeMask(scope, cacheLength, win));
                NDArray out = layer(x, l, rope[0], rope[1], m);
                out.attach(scope);
                x = out;
            }
            NDArray logits = x.reshape(batch, cfg.hiddenSize());
            logits = rmsNorm(logits, w.finalNorm).matMul(w.lmHeadT);           // [B, V]
            long[] next = logits.argMax(-1).toLongArray();
            int[] result = new int[batch];
            for (int b = 0; b < batch; b++) result[b] = (int) next[b];
            return result;
        }
    }

    /** Additive mask [B, 1, 1, 1, S+1] for one new token attending the cache and itself. */
    private NDArray decodeMask(NDManager scope, int cacheLength, int window) {
        int keys = cacheLength + 1;
        float[] m = new float[batch * keys];
        for (int b = 0; b < batch; b++) {
            int pad = padded - lengths[b];
            int queryPos = lengths[b] + (cacheLength - padded);
            for (int s = 0; s < keys; s++) {
                int keyPos = s - pad;
                boolean visible = s >= pad && (window == 0 || queryPos - keyPos < window);
                m[b * keys + s] = visible ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return scope.create(m, new Shape(batch, 1, 1, 1, keys)).toType(w.computeType(), false);
    }

    /** Additive causal + padding (+ sliding window) mask [B, 1, 1, T, T] for the prefill. */
    private NDArray mask(int window) {
        return masks.computeIfAbsent(window, win -> {
            float[] m = new float[batch * padded * padded];
            for (int b = 0; b < batch; b++) {
                int pad = padded - lengths[b];
                for (int t = 0; t < padded; t++) {
                    for (int s = 0; s < padded; s++) {
                        boolean visible = s <= t && s >= pad && (win == 0 || t - s < win);
                        // a padding query sees only itself, so its softmax row is never empty (no NaN)
                        if (t < pad) visible = s == t;
                        m[(b * padded + t) * padded + s] = visible ? 0f : Float.NEGATIVE_INFINITY;
                    }
                }
            }
            return manager.create(m, new Shape(batch, 1, 1, padded, padded)).toType(w.computeType(), false);
        });
    }

    /**
     * One decoder layer on x [B, T, H] with rope tables [B, 1, T, hd] and additive mask [B, 1, 1, T, S];
     * appends this step's keys and values to the layer's cache. Returns [B, T, H] in this state's manager.
     */
    private NDArray layer(NDArray x, int l, NDArray cosT, NDArray sinT, NDArray mask) {
        Weights.Layer lw = w.layers[l];
        int nh = cfg.numHeads(), nkv = cfg.numKvHeads(), hd = cfg.headDim(), g = cfg.kvGroups();
        long b = x.getShape().get(0), t = x.getShape().get(1);
        try (NDManager scope = manager.newSubManager()) {
            x.tempAttach(scope);
            NDArray h = rmsNorm(x, lw.attnNorm());                                          // [B, T, H]
            NDArray q = linear(h, lw.qT(), lw.qBias()).reshape(b, t, nh, hd).transpose(0, 2, 1, 3);  // [B, nh, T, hd]
            NDArray k = linear(h, lw.kT(), lw.kBias()).reshape(b, t, nkv, hd).transpose(0, 2, 1, 3); // [B, nkv, T, hd]
            NDArray v = linear(h, lw.vT(), lw.vBias()).reshape(b, t, nkv, hd).transpose(0, 2, 1, 3); // [B, nkv, T, hd]
            q = rotate(q, cosT, sinT);
            k = rotate(k, cosT, sinT);
            if (kCache[l] != null) {
                k = NDArrays.concat(new NDList(kCache[l], k), 2);                           // [B, nkv, S, hd]
                v = NDArrays.concat(new NDList(vCache[l], v), 2);
                k.attach(scope);
                v.attach(scope);
            }
            NDArray scores = q.reshape(b, nkv, g, t, hd)                                    // [B, nkv, g, T, hd]
                    .matMul(k.expandDims(2).transpose(0, 1, 2, 4, 3))                        // [B, nkv, g, T, S]
                    .mul(w.attnScale)
                    .add(mask);
            NDArray attn = scores.softmax(-1).matMul(v.expandDims(2))                       // [B, nkv, g, T, hd]
                    .reshape(b, nh, t, hd).transpose(0, 2, 1, 3).reshape(b, t, (long) nh * hd); // [B, T, nh*hd]
            NDArray x1 = x.add(linear(attn, lw.oT(), lw.oBias()));                          // [B, T, H]
            NDArray h2 = rmsNorm(x1, lw.mlpNorm());
            NDArray gate = linear(h2, lw.gateT(), lw.gateBias());                            // [B, T, I]
            NDArray up = linear(h2, lw.upT(), lw.upBias());                                  // [B, T, I]
            NDArray out = x1.add(linear(gate.mul(Activation.sigmoid(gate)).mul(up), lw.downT(), lw.downBias()));
            keepCache(l, k, v);
            out.attach(manager);
            return out;
        }
    }

    private void keepCache(int l, NDArray k, NDArray v) {
        NDArray oldK = kCache[l], oldV = vCache[l];
        k.attach(manager);
        v.attach(manager);
        kCache[l] = k;
        vCache[l] = v;
        // Arrays owned by a parent state are shared with it: only this state's own are freed.
        if (oldK != null && oldK.getManager() == manager) oldK.close();
        if (oldV != null && oldV.getManager() == manager) oldV.close();
    }

    private static NDArray linear(NDArray x, NDArray weightT, NDArray bias) {
        NDArray y = x.matMul(weightT);
        return bias == null ? y : y.add(bias);
    }

    /** RMSNorm over the last axis, in f32 whatever the compute type. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray xf = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray normed = xf.div(xf.square().mean(new int[] {-1}, true).add((float) cfg.rmsNormEps()).sqrt());
        if (x.getDataType() != DataType.FLOAT32) normed = normed.toType(x.getDataType(), false);
        return normed.mul(weight);
    }

    /** Rotary embedding, Hugging Face's "rotate half": dimension i pairs with i + hd/2. */
    private NDArray rotate(NDArray x, NDArray cosT, NDArray sinT) {
        int half = cfg.headDim() / 2;
        NDArray x1 = x.get(new NDIndex("..., :" + half));
        NDArray x2 = x.get(new NDIndex("..., " + half + ":"));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(cosT).add(rotated.mul(sinT));
    }

    private long[] flatIndex(List<int[]> positions) {
        if (positions.size() != batch) throw new IllegalArgumentException("positions for " + positions.size()
                + " sequences, batch has " + batch);
        int n = positions.stream().mapToInt(p -> p.length).sum();
        long[] flat = new long[n];
        int i = 0;
        for (int b = 0; b < batch; b++) {
            int pad = padded - lengths[b];
            for (int p : positions.get(b)) {
                if (p < 0 || p >= lengths[b]) {
                    throw new IllegalArgumentException("position " + p + " outside sequence " + b
                            + " of length " + lengths[b]);
                }
                flat[i++] = (long) b * padded + pad + p;
            }
        }
        return flat;
    }

    /** Final norm and LM head on the chosen rows of the residual stream: [N, V]. */
    private NDArray logitsRows(NDManager scope, long[] flat) {
        NDArray rows = hiddenRows(scope, flat);
        return rmsNorm(rows, w.finalNorm).matMul(w.lmHeadT);
    }

    private NDArray hiddenRows(NDManager scope, long[] flat) {
        NDArray all = hidden.reshape(batch * (long) padded, cfg.hiddenSize());
        all.attach(scope);
        NDArray index = scope.create(flat);
        return all.get(new NDIndex("{}", index));                                            // [N, H]
    }

    private List<float[][]> readRows(List<int[]> positions, boolean logits) {
        List<float[][]> out = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            long[] flat = flatIndex(positions);
            if (flat.length == 0) {
                positions.forEach(p -> out.add(new float[0][]));
                return out;
            }
            NDArray rows = logits ? logitsRows(scope, flat) : hiddenRows(scope, flat);
            rows = rows.toType(DataType.FLOAT32, false);
            int width = (int) rows.getShape().get(1);
            float[] values = rows.toFloatArray();
            int k = 0;
            for (int[] p : positions) {
                float[][] seq = new float[p.length][width];
                for (int j = 0; j < p.length; j++, k++) System.arraycopy(values, k * width, seq[j], 0, width);
                out.add(seq);
            }
        }
        return out;
    }

    private int[] argmaxRows(int[] paddedRows) {
        try (NDManager scope = manager.newSubManager()) {
            long[] flat = new long[paddedRows.length];
            for (int b = 0; b < batch; b++) flat[b] = (long) b * padded + paddedRows[b];
            long[] ids = logitsRows(scope, flat).argMax(-1).toLongArray();
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) out[i] = (int) ids[i];
            return out;
        }
    }

    private void replaceHidden(NDArray out) {
        NDArray old = hidden;
        hidden = out;
        if (old.getManager() == manager) old.close();
    }

    @Override
    public void close() {
        manager.close();
    }
}
