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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tale.core.InputException;

/**
 * A batch of sequences part-way through the decoder. It holds a <em>block</em> of new tokens per sequence
 * (left-padded to a common length T, so that last tokens line up), the residual stream of that block at
 * one layer boundary, and the key/value cache of every layer run so far, covering earlier blocks and the
 * current one. Every key carries its position; padding keys carry none and are never attended to.
 *
 * <p>The state advances layer by layer ({@link #runLayer}); skipped layers act as the identity, so a
 * layer mask is simply the set of layers run. {@link #fork()} copies the state cheaply (arrays are shared,
 * never modified in place), which is how a search resumes many candidates from one shared prefix. A fork
 * must be closed before the state it came from. Not thread-safe: one thread per state.
 */
public final class ForwardState implements AutoCloseable {

    private final Model model;
    private final ModelConfig cfg;
    private final Weights w;
    private final NDManager manager;
    private final int batch;             // B
    private final NDArray[] kCache;      // per layer [B, nkv, S0 + T, hd] once run this block; null if never run
    private final NDArray[] vCache;      // per layer [B, nkv, S0 + T, hd]
    private int[][] priorKeyPos;         // [B][S0] positions of keys from earlier blocks, -1 for padding
    private int[][] blockPos;            // [B][T] positions of the current block's tokens, -1 for padding
    private int[] blockLen;              // [B] real tokens in the current block
    private NDArray hidden;              // [B, T, H] entering layer `next`
    private int next;                    // the layer boundary `hidden` sits at
    private NDArray cos;                 // [B, 1, T, hd]
    private NDArray sin;                 // [B, 1, T, hd]
    private final Map<Integer, NDArray> masks = new HashMap<>(); // window -> [B, 1, 1, T, S0 + T], additive

    private ForwardState(Model model, NDManager manager, int batch, NDArray[] kCache, NDArray[] vCache,
                         int[][] priorKeyPos) {
        this.model = model;
        this.cfg = model.config();
        this.w = model.weights();
        this.manager = manager;
        this.batch = batch;
        this.kCache = kCache;
        this.vCache = vCache;
        this.priorKeyPos = priorKeyPos;
    }

    /** Embeds the sequences: the state entering layer 0. */
    static ForwardState start(Model model, List<int[]> sequences) {
        if (sequences.isEmpty()) throw new InputException("no sequences to run");
        int layers = model.config().numLayers();
        ForwardState s = new ForwardState(model, model.weights().manager.newSubManager(), sequences.size(),
                new NDArray[layers], new NDArray[layers], new int[sequences.size()][0]);
        try {
            s.beginBlock(sequences);
            return s;
        } catch (RuntimeException e) {
            s.close();
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

    /** Runs layer {@code layer}; layers between the current boundary and it are skipped. */
    public ForwardState runLayer(int layer) {
        if (layer < next || layer >= cfg.numLayers()) {
            throw new IllegalStateException("cannot run layer " + layer + " from boundary " + next);
        }
        if (priorKeyPos[0].length > 0 && kCache[layer] == null) {
            throw new IllegalStateException("layer " + layer + " did not run on the earlier tokens");
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
        ForwardState f = new ForwardState(model, manager.newSubManager(), batch, kCache.clone(), vCache.clone(),
                priorKeyPos);
        f.blockPos = blockPos;
        f.blockLen = blockLen;
        f.hidden = hidden;
        f.next = next;
        f.cos = cos;
        f.sin = sin;
        return f;
    }

    /**
     * A new state with {@code continuations} appended after this finished state's tokens, run through
     * exactly the layers this state ran, reusing its key/value cache (the shared prefix is not recomputed).
     * Positions of the new state index the continuations; the logits predicting continuation token 0 are
     * this state's logits at its last position. Close the new state before this one.
     */
    public ForwardState extend(List<int[]> continuations) {
        requireFinished("extend");
        ForwardState child = fork();
        try {
            child.append(continuations);
            return child;
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
    }

    /** Logits at the given positions of each sequence's current block (0-based, unpadded): [seq][pos][V]. */
    public List<float[][]> logitsAt(List<int[]> positions) {
        return readRows(positions, true);
    }

    /** The residual stream at the given positions (no final norm): [seq][pos][H]. */
    public List<float[][]> hiddenAt(List<int[]> positions) {
        return readRows(positions, false);
    }

    /**
     * log p(target | prefix) at each position: for sequence b, entry j is the log-probability of
     * {@code targets.get(b)[j]} under the logits at {@code positions.get(b)[j]}. Computed in the engine;
     * only the requested numbers cross to Java.
     */
    public List<float[]> logProbsAt(List<int[]> positions, List<int[]> targets) {
        List<float[]> out = new ArrayList<>();
        long[] flat = flatIndex(positions);
        long[] targetIds = new long[flat.length];
        int i = 0;
        for (int[] t : targets) {
            for (int id : t) {
                if (i < targetIds.length) targetIds[i] = checkToken(id);
                i++;
            }
        }
        if (i != flat.length) throw new IllegalArgumentException("positions and targets differ in length");
        if (flat.length == 0) {
            positions.forEach(p -> out.add(new float[0]));
            return out;
        }
        float[] values;
        try (NDManager scope = manager.newSubManager()) {
            values = logProbs(scope, flat, targetIds).toType(DataType.FLOAT32, false).toFloatArray();
        }
        int k = 0;
        for (int[] p : positions) {
            out.add(Arrays.copyOfRange(values, k, k + p.length));
            k += p.length;
        }
        return out;
    }

    /**
     * {@link #logProbsAt} as one array [N] in {@code scope} (positions of all sequences in order), in the
     * compute type (f32 for f16), for training: it stays on the autograd graph of the weights.
     */
    public NDArray logProbsTensor(NDManager scope, List<int[]> positions, List<int[]> targets) {
        long[] flat = flatIndex(positions);
        long[] targetIds = targets.stream().flatMapToInt(Arrays::stream).mapToLong(this::checkToken).toArray();
        if (targetIds.length != flat.length) throw new IllegalArgumentException("positions and targets differ in length");
        if (flat.length == 0) throw new IllegalArgumentException("no positions to score");
        return logProbs(scope, flat, targetIds);
    }

    private NDArray logProbs(NDManager scope, long[] flat, long[] targetIds) {
        NDArray logits = logitsRows(scope, flat);
        if (logits.getDataType() == DataType.FLOAT16) logits = logits.toType(DataType.FLOAT32, false);
        NDArray logProbs = logits.logSoftmax(-1);                                                     // [N, V]
        return logProbs.gather(scope.create(targetIds, new Shape(flat.length, 1)), 1).reshape(flat.length); // [N]
    }

    /** Tokens produced for one sequence, and whether it ended on a stop token (not included). */
    public record Generation(int[] tokens, boolean stopped) { }

    /** Hears greedy decoding as it goes: each produced token, and each sequence's stop token. */
    public interface TokenListener {
        /** Sequence {@code sequence} of the batch produced {@code token} (never a stop token). */
        void onToken(int sequence, int token);

        /** Sequence {@code sequence} reached a stop token and produces nothing more. */
        default void onStop(int sequence) { }
    }

    /**
     * Greedy decoding after each sequence's last token, through exactly the layers this state ran. The
     * state must be past the last layer and is consumed (its cache grows). Each sequence stops at a stop
     * token or after {@code maxNewTokens}.
     */
    public List<Generation> generate(int maxNewTokens, Set<Integer> stopTokens) {
        return generate(maxNewTokens, stopTokens, null);
    }

    /**
     * {@link #generate(int, Set)}, telling {@code listener} of each token as it is produced, so a server can
     * stream it; {@code listener} may be null.
     */
    public List<Generation> generate(int maxNewTokens, Set<Integer> stopTokens, TokenListener listener) {
        requireFinished("generate");
        List<List<Integer>> produced = new ArrayList<>();
        boolean[] stopped = new boolean[batch];
        for (int b = 0; b < batch; b++) produced.add(new ArrayList<>());
        int[] tokens = maxNewTokens > 0 ? argmaxLast() : new int[0];
        for (int step = 0; step < maxNewTokens; step++) {
            boolean allStopped = true;
            List<int[]> feed = new ArrayList<>();
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
                feed.add(new int[] {tokens[b]});
            }
            if (allStopped || step == maxNewTokens - 1) break;
            append(feed);
            tokens = argmaxLast();
        }
        List<Generation> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            out.add(new Generation(produced.get(b).stream().mapToInt(Integer::intValue).toArray(), stopped[b]));
        }
        return out;
    }

    /** Makes {@code tokens} the current block: embeds them after the keys already cached. */
    private void beginBlock(List<int[]> tokens) {
        if (tokens.size() != batch) throw new IllegalArgumentException(tokens.size() + " sequences for a batch of " + batch);
        int t = 0;
        for (int b = 0; b < batch; b++) {
            if (tokens.get(b).length == 0) throw new InputException("sequence " + b + " is empty");
            for (int id : tokens.get(b)) checkToken(id);
            t = Math.max(t, tokens.get(b).length);
        }
        int[] len = new int[batch];
        int[][] pos = new int[batch][t];
        long[] ids = new long[batch * t];
        float[] ropePos = new float[batch * t];
        for (int b = 0; b < batch; b++) {
            int[] seq = tokens.get(b);
            len[b] = seq.length;
            int pad = t - seq.length;
            int start = 0;
            for (int p : priorKeyPos[b]) start = Math.max(start, p + 1);
            for (int i = 0; i < t; i++) {
                boolean real = i >= pad;
                pos[b][i] = real ? start + i - pad : -1;
                ids[b * t + i] = real ? seq[i - pad] : seq[0]; // padding repeats a real token; it is masked
                ropePos[b * t + i] = real ? pos[b][i] : 0;
            }
        }
        blockLen = len;
        blockPos = pos;
        for (NDArray old : new NDArray[] {hidden, cos, sin}) closeIfOwned(old);
        masks.values().forEach(this::closeIfOwned);
        masks.clear();
        hidden = model.embed(manager, ids, new Shape(batch, t));
        NDArray[] rope = model.rope(manager, ropePos, batch, t);
        cos = rope[0];
        sin = rope[1];
        next = 0;
    }

    /** Appends a block after a finished state and runs it through the layers that ran before. */
    private void append(List<int[]> tokens) {
        int[][] keys = new int[batch][];
        for (int b = 0; b < batch; b++) {
            keys[b] = Arrays.copyOf(priorKeyPos[b], priorKeyPos[b].length + blockPos[b].length);
            System.arraycopy(blockPos[b], 0, keys[b], priorKeyPos[b].length, blockPos[b].length);
        }
        priorKeyPos = keys;
        beginBlock(tokens);
        for (int l = 0; l < cfg.numLayers(); l++) {
            if (kCache[l] != null) runLayer(l);
        }
        next = cfg.numLayers();
    }

    private void requireFinished(String what) {
        if (next != cfg.numLayers()) {
            throw new IllegalStateException(what + " needs the state after the last layer (it is at " + next + ")");
        }
    }

    private int checkToken(int id) {
        if (id < 0 || id >= cfg.vocabSize()) {
            throw new InputException("token id " + id + " is outside the vocabulary (size " + cfg.vocabSize() + ")");
        }
        return id;
    }

    /**
     * Additive mask [B, 1, 1, T, S0 + T]: a query sees keys at positions up to its own (and within the
     * sliding window); padding keys are never seen. A padding query sees only itself, so that no softmax
     * row is empty (an empty row would give NaN).
     */
    private NDArray mask(int window) {
        return masks.computeIfAbsent(window, win -> {
            int t = blockPos[0].length, prior = priorKeyPos[0].length, keys = prior + t;
            float[] m = new float[batch * t * keys];
            Arrays.fill(m, Float.NEGATIVE_INFINITY);
            for (int b = 0; b < batch; b++) {
                for (int q = 0; q < t; q++) {
                    int qp = blockPos[b][q];
                    int row = (b * t + q) * keys;
                    if (qp < 0) {
                        m[row + prior + q] = 0f;
                        continue;
                    }
                    for (int s = 0; s < keys; s++) {
                        int kp = s < prior ? priorKeyPos[b][s] : blockPos[b][s - prior];
                        if (kp >= 0 && kp <= qp && (win == 0 || qp - kp < win)) m[row + s] = 0f;
                    }
                }
            }
            return manager.create(m, new Shape(batch, 1, 1, t, keys)).toType(w.computeType(), false);
        });
    }

    /**
     * One decoder layer on x [B, T, H] with rope tables [B, 1, T, hd] and additive mask [B, 1, 1, T, S];
     * appends the block's keys and values to the layer's cache. Returns [B, T, H] in this state's manager.
     */
    private NDArray layer(NDArray x, int l, NDArray cosT, NDArray sinT, NDArray mask) {
        Weights.Layer lw = w.layers[l];
        int nh = cfg.numHeads(), nkv = cfg.numKvHeads(), hd = cfg.headDim(), g = cfg.kvGroups();
        long b = x.getShape().get(0), t = x.getShape().get(1);
        try (NDManager scope = manager.newSubManager()) {
            x.tempAttach(scope);
            NDArray h = rmsNorm(x, lw.attnNorm());                                                  // [B, T, H]
            NDArray q = linear(h, lw.qT(), lw.qBias()).reshape(b, t, nh, hd).transpose(0, 2, 1, 3);  // [B, nh, T, hd]
            NDArray k = linear(h, lw.kT(), lw.kBias()).reshape(b, t, nkv, hd).transpose(0, 2, 1, 3); // [B, nkv, T, hd]
            NDArray v = linear(h, lw.vT(), lw.vBias()).reshape(b, t, nkv, hd).transpose(0, 2, 1, 3); // [B, nkv, T, hd]
            q = rotate(q, cosT, sinT);
            k = rotate(k, cosT, sinT);
            if (priorKeyPos[0].length > 0) {
                k = NDArrays.concat(new NDList(kCache[l], k), 2);                                   // [B, nkv, S, hd]
                v = NDArrays.concat(new NDList(vCache[l], v), 2);
                k.attach(scope); // the cache may belong to a parent state: keep the result in this one
                v.attach(scope);
            }
            // scaling q rather than the scores touches T*hd values instead of T*S
            NDArray scores = q.mul(w.attnScale).reshape(b, nkv, g, t, hd)                           // [B, nkv, g, T, hd]
                    .matMul(k.expandDims(2).transpose(0, 1, 2, 4, 3))                                // [B, nkv, g, T, S]
                    .add(mask);
            NDArray attn = scores.softmax(-1).matMul(v.expandDims(2))                               // [B, nkv, g, T, hd]
                    .reshape(b, nh, t, hd).transpose(0, 2, 1, 3).reshape(b, t, (long) nh * hd);      // [B, T, nh*hd]
            NDArray x1 = x.add(linear(attn, lw.oT(), lw.oBias()));                                  // [B, T, H]
            NDArray h2 = rmsNorm(x1, lw.mlpNorm());                                                 // [B, T, H]
            NDArray gate = linear(h2, lw.gateT(), lw.gateBias());                                    // [B, T, I]
            NDArray up = linear(h2, lw.upT(), lw.upBias());                                          // [B, T, I]
            NDArray mlp = linear(gate.mul(Activation.sigmoid(gate)).mul(up), lw.downT(), lw.downBias()); // [B, T, H]
            NDArray out = x1.add(mlp);
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
        closeIfOwned(oldK);
        closeIfOwned(oldV);
    }

    /** Arrays of a parent state are shared with it: only this state's own are freed. */
    private void closeIfOwned(NDArray array) {
        if (array != null && array.getManager() == manager) array.close();
    }

    private static NDArray linear(NDArray x, NDArray weightT, NDArray bias) {
        NDArray y = x.matMul(weightT);
        return bias == null ? y : y.add(bias);
    }

    /** RMSNorm over the last axis, in f32 for f16 (f64 stays f64, for gradient checks). */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        boolean half = x.getDataType() == DataType.FLOAT16;
        NDArray xf = half ? x.toType(DataType.FLOAT32, false) : x;
        NDArray normed = xf.div(xf.square().mean(new int[] {-1}, true).add((float) cfg.rmsNormEps()).sqrt());
        if (half) normed = normed.toType(x.getDataType(), false);
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

    /** Row indices into the flattened [B*T, H] block for the requested positions. */
    private long[] flatIndex(List<int[]> positions) {
        if (positions.size() != batch) {
            throw new IllegalArgumentException("positions for " + positions.size() + " sequences, batch has " + batch);
        }
        int t = blockPos[0].length;
        long[] flat = new long[positions.stream().mapToInt(p -> p.length).sum()];
        int i = 0;
        for (int b = 0; b < batch; b++) {
            int pad = t - blockLen[b];
            for (int p : positions.get(b)) {
                if (p < 0 || p >= blockLen[b]) {
                    throw new IllegalArgumentException("position " + p + " outside sequence " + b
                            + " of length " + blockLen[b]);
                }
                flat[i++] = (long) b * t + pad + p;
            }
        }
        return flat;
    }

    /** Final norm and LM head on the chosen rows of the block: [N, V]. */
    private NDArray logitsRows(NDManager scope, long[] flat) {
        return rmsNorm(hiddenRows(scope, flat), w.finalNorm).matMul(w.lmHeadT);
    }

    private NDArray hiddenRows(NDManager scope, long[] flat) {
        NDArray all = hidden.reshape((long) batch * blockPos[0].length, cfg.hiddenSize());      // [B*T, H]
        all.attach(scope);
        return all.get(new NDIndex("{}", scope.create(flat)));                                  // [N, H]
    }

    private List<float[][]> readRows(List<int[]> positions, boolean logits) {
        long[] flat = flatIndex(positions);
        List<float[][]> out = new ArrayList<>();
        if (flat.length == 0) {
            positions.forEach(p -> out.add(new float[0][]));
            return out;
        }
        float[] values;
        int width;
        try (NDManager scope = manager.newSubManager()) {
            NDArray rows = (logits ? logitsRows(scope, flat) : hiddenRows(scope, flat)).toType(DataType.FLOAT32, false);
            width = (int) rows.getShape().get(1);
            values = rows.toFloatArray();
        }
        int k = 0;
        for (int[] p : positions) {
            float[][] seq = new float[p.length][];
            for (int j = 0; j < p.length; j++, k++) seq[j] = Arrays.copyOfRange(values, k * width, (k + 1) * width);
            out.add(seq);
        }
        return out;
    }

    /** Greedy next token after each sequence's last token. */
    private int[] argmaxLast() {
        long[] flat = new long[batch];
        int t = blockPos[0].length;
        for (int b = 0; b < batch; b++) flat[b] = (long) b * t + t - 1; // left padding: last tokens line up
        try (NDManager scope = manager.newSubManager()) {
            long[] ids = logitsRows(scope, flat).argMax(-1).toLongArray();
            return Arrays.stream(ids).mapToInt(id -> (int) id).toArray();
        }
    }

    private void replaceHidden(NDArray out) {
        NDArray old = hidden;
        hidden = out;
        closeIfOwned(old);
    }

    @Override
    public void close() {
        manager.close();
    }
}
