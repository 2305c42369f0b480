package tale.modelserver;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.ConfigProvider;
import tale.core.model.ForwardState;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.text.ChatMessage;

/**
 * The core runtime, called directly on the checkpoint the server serves: what every response must equal.
 * Loaded separately from the server's copy, so the comparison crosses the whole serving path.
 */
public final class Reference {

    private static Model model;
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private Reference() { }

    public static synchronized Model model() {
        if (model == null) {
            String dir = ConfigProvider.getConfig().getValue("tale.models." + TestServer.MODEL + ".path", String.class);
            model = Model.load(Path.of(dir));
        }
        return model;
    }

    public static LayerMask mask(String removed) {
        return LayerMask.parse(model().numLayers(), removed);
    }

    /** Greedy completion of {@code prompt} (no special tokens added) under {@code mask}. */
    public static String complete(String prompt, LayerMask mask, int maxTokens) {
        return CACHE.computeIfAbsent(prompt + "\u0000" + mask + "\u0000" + maxTokens, k -> {
            int[] ids = model().tokenizer().encode(prompt);
            ForwardState.Generation g = model().generate(List.of(ids), mask, maxTokens, model().stopTokens()).get(0);
            return model().tokenizer().decode(g.tokens());
        });
    }

    /** Greedy chat reply: the model's chat template with the generation prompt, then {@link #complete}. */
    public static String chat(List<ChatMessage> messages, LayerMask mask, int maxTokens) {
        return complete(model().chatTemplate().orElseThrow().render(messages, true), mask, maxTokens);
    }

    /** log p of each token of {@code choice} after {@code prompt}. */
    public static float[] choiceLogProbs(String prompt, String choice, LayerMask mask) {
        int[] p = model().tokenizer().encode(prompt), c = model().tokenizer().encode(choice);
        int[] seq = new int[p.length + c.length];
        System.arraycopy(p, 0, seq, 0, p.length);
        System.arraycopy(c, 0, seq, p.length, c.length);
        int[] at = new int[c.length];
        for (int i = 0; i < at.length; i++) at[i] = p.length - 1 + i;
        try (ForwardState s = model().start(List.of(seq))) {
            return s.runAll(mask).logProbsAt(List.of(at), List.of(c)).get(0);
        }
    }
}
