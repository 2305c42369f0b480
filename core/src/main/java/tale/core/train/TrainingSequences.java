package tale.core.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import tale.core.InputException;
import tale.core.model.Model;
import tale.core.scoring.PreparedBatch;
import tale.core.scoring.Scorer;
import tale.core.task.Example;
import tale.core.text.Tokenizer;

/**
 * Turns task examples into training sequences on exactly the prompts the scorer scores: the prompt tokens
 * (system message, demonstrations, question, chat template) as {@link Scorer#prepare} builds them, then the
 * answer (the gold label's tokens, or a free-form task's demonstration), then the stop token that ends the
 * assistant's turn, so that generation stops after the answer.
 */
public final class TrainingSequences {

    private TrainingSequences() { }

    /** The token that ends an answer: the model's first end-of-sequence id that generation stops at. */
    public static int stopToken(Model model) {
        for (int id : model.config().eosTokenIds()) {
            if (model.stopTokens().contains(id)) return id;
        }
        return model.stopTokens().stream().sorted().findFirst()
                .orElseThrow(() -> new InputException(model.dir() + ": no end-of-sequence token to end answers with"));
    }

    /**
     * @param wordTargets for each example, one label (or null) per space-separated word of its prompt: the
     *                    label the model should predict at that word (a supervised intermediate value); or
     *                    null for answer-only loss. Used only when the tokenizer gives one token per word.
     */
    public static List<TrainingSequence> build(Scorer scorer, Tokenizer tokenizer, int stopToken, List<Example> examples,
                                               Function<Example, List<String>> wordTargets) {
        List<TrainingSequence> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            PreparedBatch.Item item = scorer.prepare(List.of(e)).items().get(0);
            int[] prompt = item.prompt();
            int[] answer = e.isChoice() ? item.labels().get(e.gold())
                    : tokenizer.encode(scorer.prompts().answerPrefix() + e.demonstration());
            int[] tokens = Arrays.copyOf(prompt, prompt.length + answer.length + 1);
            System.arraycopy(answer, 0, tokens, prompt.length, answer.length);
            tokens[tokens.length - 1] = stopToken;
            List<int[]> pairs = new ArrayList<>();
            if (wordTargets != null && e.isChoice()) pairs.addAll(intermediate(e, item, tokenizer, wordTargets.apply(e)));
            for (int j = 0; j <= answer.length; j++) pairs.add(new int[] {prompt.length - 1 + j, tokens[prompt.length + j]});
            int[] positions = pairs.stream().mapToInt(p -> p[0]).toArray();
            int[] targets = pairs.stream().mapToInt(p -> p[1]).toArray();
            // the sequence ends with the stop token, which nothing is trained to follow
            out.add(new TrainingSequence(Arrays.copyOf(tokens, tokens.length - 1), positions, targets));
        }
        return out;
    }

    /** (position, label token) for each supervised word, when each word of the question is one token. */
    private static List<int[]> intermediate(Example e, PreparedBatch.Item item, Tokenizer tokenizer, List<String> labels) {
        if (labels == null) return List.of();
        String[] words = e.prompt().split(" ");
        int[] wordIds = tokenizer.encode(e.prompt());
        if (wordIds.length != words.length || labels.size() != words.length) return List.of();
        int start = lastIndexOf(item.prompt(), wordIds);
        if (start < 0) return List.of();
        List<int[]> out = new ArrayList<>();
        for (int w = 0; w < words.length; w++) {
            String label = labels.get(w);
            if (label == null) continue;
            int k = e.labels().indexOf(label);
            if (k < 0 || item.labels().get(k).length != 1) return List.of();
            out.add(new int[] {start + w, item.labels().get(k)[0]});
        }
        return out;
    }

    private static int lastIndexOf(int[] haystack, int[] needle) {
        outer:
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
