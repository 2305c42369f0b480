package tale.core.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import tale.core.InputException;
import tale.core.model.ForwardState;
import tale.core.model.Model;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.core.task.Task;
import tale.core.text.Tokenizer;

/**
 * Scores a task's examples in two steps, so that whoever runs the layers decides how (a full forward under a
 * mask, or a fork of a shared prefix that skips one layer):
 * <pre>
 * PreparedBatch batch = scorer.prepare(examples);            // token ids, once
 * try (ForwardState s = model.start(batch.sequences())) {
 *     List&lt;ExampleResult&gt; r = scorer.score(batch, s.runAll(mask));
 * }</pre>
 * {@link #score} needs the state after the last layer. In generate mode it decodes from it and so consumes it
 * (its cache grows); score a fork when the state must be kept. Multiple choice with single-token labels is one
 * prefill and no decode step: the label is the argmax at the prompt's last position. Log-likelihood of the
 * answer texts extends the finished state once per option index, so the prompt is computed once.
 *
 * <p>Labels and answer texts are tokenized as they follow the prompt: after the chat template's generation
 * prompt ("A" directly after "assistant\n") or after the fallback's "Answer:" (" A", with a space).
 */
public final class Scorer {

    private final Task task;
    private final Scoring scoring;
    private final Prompts prompts;
    private final Tokenizer tokenizer;
    private final Set<Integer> stopTokens;
    private final int numLayers;
    private final int maxNewTokens;
    private final int[] contextTokens;
    private final Map<String, int[]> labelTokens = new ConcurrentHashMap<>();
    private final Map<List<String>, LabelParser> labelParsers = new ConcurrentHashMap<>();
    private final FinalAnswerParser finalAnswers = new FinalAnswerParser();

    public Scorer(Prompts prompts, Scoring scoring, Tokenizer tokenizer, Set<Integer> stopTokens, int numLayers,
                  int maxNewTokens) {
        this.task = prompts.task();
        if (!task.isChoice() && scoring != Scoring.GENERATE) {
            throw new InputException("task " + task.name() + " has free-form answers: only generate scoring applies, not " + scoring);
        }
        if (maxNewTokens < 1) throw new InputException("max new tokens must be at least 1, got " + maxNewTokens);
        this.scoring = scoring;
        this.prompts = prompts;
        this.tokenizer = tokenizer;
        this.stopTokens = Set.copyOf(stopTokens);
        this.numLayers = numLayers;
        this.maxNewTokens = maxNewTokens;
        this.contextTokens = tokenizer.encode(prompts.answerContext());
    }

    /** A scorer for {@code model} with the task's own decoding budget. */
    public static Scorer of(Model model, Task task, Scoring scoring, Demonstrations demonstrations) {
        return new Scorer(new Prompts(task, model.chatTemplate(), demonstrations), scoring, model.tokenizer(),
                model.stopTokens(), model.numLayers(), task.maxNewTokens());
    }

    public Task task() {
        return task;
    }

    public Scoring scoring() {
        return scoring;
    }

    public Prompts prompts() {
        return prompts;
    }

    /** Tokenizes {@code examples} as one batch, in the given order. */
    public PreparedBatch prepare(List<Example> examples) {
        return new PreparedBatch(examples.stream().map(this::prepareItem).toList());
    }

    /**
     * Tokenizes {@code examples} into batches of similar length, longest first: at most {@code maxBatch}
     * examples and about {@code maxTokens} padded tokens (prompt plus answer budget) each.
     */
    public List<PreparedBatch> prepareBatches(List<Example> examples, int maxBatch, int maxTokens) {
        if (maxBatch < 1 || maxTokens < 1) throw new InputException("batch size and batch tokens must be positive");
        List<PreparedBatch.Item> items = new ArrayList<>(examples.stream().map(this::prepareItem).toList());
        items.sort(Comparator.comparingInt(this::cost).reversed().thenComparingInt(i -> i.example().index()));
        List<PreparedBatch> batches = new ArrayList<>();
        List<PreparedBatch.Item> current = new ArrayList<>();
        int width = 0;
        for (PreparedBatch.Item item : items) {
            int w = Math.max(width, cost(item));
            if (!current.isEmpty() && (current.size() >= maxBatch || (long) w * (current.size() + 1) > maxTokens)) {
                batches.add(new PreparedBatch(current));
                current = new ArrayList<>();
                w = cost(item);
            }
            current.add(item);
            width = w;
        }
        if (!current.isEmpty()) batches.add(new PreparedBatch(current));
        return batches;
    }

    /** Scores a prepared batch from the state its prompts reached after the last layer. */
    public List<ExampleResult> score(PreparedBatch batch, ForwardState finished) {
        requireFinished(batch, finished);
        return switch (scoring) {
            case GENERATE -> generate(batch, finished);
            case MARGIN -> byLabelScores(batch, optionScores(batch, finished), false);
            case LOGLIK -> byLabelScores(batch, optionScores(batch, finished), true);
        };
    }

    /**
     * One score per option of each example: log p of each label at the prompt's last position (margin and
     * generate modes), or the summed log-likelihood of each answer text (loglik mode): [example][option].
     */
    public double[][] optionScores(PreparedBatch batch, ForwardState finished) {
        requireFinished(batch, finished);
        boolean labels = scoring != Scoring.LOGLIK && singleTokenLabels(batch);
        return labels ? labelLogProbs(batch, finished) : continuationLogLiks(batch, finished);
    }

    private void requireFinished(PreparedBatch batch, ForwardState finished) {
        if (finished.boundary() != numLayers) {
            throw new IllegalStateException("scoring needs the state after the last layer (it is at " + finished.boundary() + ")");
        }
        if (finished.batchSize() != batch.size()) {
            throw new IllegalArgumentException("state holds " + finished.batchSize() + " sequences, batch " + batch.size());
        }
    }

    private PreparedBatch.Item prepareItem(Example e) {
        int[] prompt = prompts.ids(e, tokenizer);
        if (prompt.length == 0) throw new InputException("row " + e.index() + ": the prompt has no tokens");
        List<int[]> labels = e.labels().stream().map(l -> labelTokens.computeIfAbsent(l, this::answerTokens)).toList();
        List<int[]> continuations = List.of();
        if (scoring == Scoring.LOGLIK) {
            continuations = e.choices().stream().map(this::answerTokens).toList();
        } else if (labels.stream().anyMatch(l -> l.length > 1)) {
            continuations = labels;
        }
        if (Stream.concat(labels.stream(), continuations.stream()).anyMatch(ids -> ids.length == 0)) {
            throw new InputException("row " + e.index() + ": an option has no text to score");
        }
        return new PreparedBatch.Item(e, prompt, labels, continuations);
    }

    /**
     * The tokens of {@code text} as they follow the prompt: tokenized after a prompt of the task's shape, so that
     * a tokenizer which merges across the boundary is honoured.
     */
    private int[] answerTokens(String text) {
        int[] full = tokenizer.encode(prompts.answerContext() + prompts.answerPrefix() + text);
        int n = contextTokens.length;
        boolean extendsContext = full.length >= n && Arrays.equals(full, 0, n, contextTokens, 0, n);
        return extendsContext ? Arrays.copyOfRange(full, n, full.length) : tokenizer.encode(prompts.answerPrefix() + text);
    }

    private int cost(PreparedBatch.Item item) {
        int extra = switch (scoring) {
            case GENERATE -> decodeBudget(List.of(item));
            case LOGLIK, MARGIN -> item.continuations().stream().mapToInt(c -> c.length).max().orElse(1);
        };
        return item.prompt().length + extra;
    }

    /**
     * Tokens to decode: the task's budget, or more when a label takes more tokens to write (" 1" is a space
     * and a digit for Qwen's tokenizer after the fallback's "Answer:").
     */
    private int decodeBudget(List<PreparedBatch.Item> items) {
        int longestLabel = items.stream().flatMap(i -> i.labels().stream()).mapToInt(l -> l.length).max().orElse(0);
        return Math.max(maxNewTokens, longestLabel);
    }

    private List<ExampleResult> generate(PreparedBatch batch, ForwardState state) {
        double[][] labelScores = task.isChoice() && singleTokenLabels(batch) ? labelLogProbs(batch, state) : null;
        List<ForwardState.Generation> generations = state.generate(decodeBudget(batch.items()), stopTokens);
        List<ExampleResult> out = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            Example e = batch.items().get(b).example();
            String output = tokenizer.decode(generations.get(b).tokens(), true);
            if (e.isChoice()) {
                Optional<String> label = labelParsers.computeIfAbsent(e.labels(), LabelParser::new).parse(output);
                double margin = labelScores == null ? Double.NaN : margin(labelScores[b], e.gold());
                out.add(new ExampleResult(e.index(), label.orElse(""), e.answer(), label.map(e.answer()::equals).orElse(false),
                        margin, label.isEmpty(), output, null));
            } else {
                Optional<String> answer = finalAnswers.parse(output);
                out.add(new ExampleResult(e.index(), answer.orElse(""), FinalAnswerParser.normalize(e.answer()),
                        answer.map(a -> FinalAnswerParser.matches(a, e.answer())).orElse(false), Double.NaN,
                        answer.isEmpty(), output, null));
            }
        }
        return out;
    }

    /** Results from one score per option: log p of each label, or summed log-likelihood of each answer text. */
    private List<ExampleResult> byLabelScores(PreparedBatch batch, double[][] scores, boolean lengthNormalized) {
        List<ExampleResult> out = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            Example e = batch.items().get(b).example();
            double margin = margin(scores[b], e.gold());
            boolean correct = margin > 0;
            String prediction = correct ? e.answer() : e.labels().get(bestWrong(scores[b], e.gold()));
            String predictionNorm = null;
            if (lengthNormalized) {
                double[] perChar = new double[scores[b].length];
                for (int c = 0; c < perChar.length; c++) {
                    String text = e.choices().get(c);
                    perChar[c] = scores[b][c] / Math.max(1, text.codePointCount(0, text.length()));
                }
                predictionNorm = margin(perChar, e.gold()) > 0 ? e.answer() : e.labels().get(bestWrong(perChar, e.gold()));
            }
            out.add(new ExampleResult(e.index(), prediction, e.answer(), correct, margin, false, null, predictionNorm));
        }
        return out;
    }

    private static boolean singleTokenLabels(PreparedBatch batch) {
        return batch.items().stream().allMatch(i -> i.labels().stream().allMatch(l -> l.length == 1));
    }

    /** log p(label) at the prompt's last position, for every label: [example][label]. */
    private static double[][] labelLogProbs(PreparedBatch batch, ForwardState state) {
        List<int[]> positions = new ArrayList<>(), targets = new ArrayList<>();
        for (PreparedBatch.Item item : batch.items()) {
            int[] p = new int[item.labels().size()];
            Arrays.fill(p, item.prompt().length - 1);
            positions.add(p);
            targets.add(item.labels().stream().mapToInt(l -> l[0]).toArray());
        }
        return toDouble(state.logProbsAt(positions, targets));
    }

    /**
     * Summed log p of each continuation after its prompt: [example][option]. The first token's log p comes from
     * the prompt's last position; the rest from one extension of the finished state per option index, all
     * examples together (an example with fewer options repeats its first one there, unscored).
     */
    private static double[][] continuationLogLiks(PreparedBatch batch, ForwardState state) {
        List<PreparedBatch.Item> items = batch.items();
        List<int[]> positions = new ArrayList<>(), targets = new ArrayList<>();
        for (PreparedBatch.Item item : items) {
            int[] p = new int[item.continuations().size()];
            Arrays.fill(p, item.prompt().length - 1);
            positions.add(p);
            targets.add(item.continuations().stream().mapToInt(c -> c[0]).toArray());
        }
        double[][] sums = toDouble(state.logProbsAt(positions, targets));
        int options = items.stream().mapToInt(i -> i.continuations().size()).max().orElse(0);
        for (int c = 0; c < options; c++) {
            final int option = c;
            boolean anyLonger = items.stream().anyMatch(i -> option < i.continuations().size() && i.continuations().get(option).length > 1);
            if (!anyLonger) continue;
            List<int[]> feed = new ArrayList<>();
            positions.clear();
            targets.clear();
            for (PreparedBatch.Item item : items) {
                boolean has = c < item.continuations().size();
                int[] cont = item.continuations().get(has ? c : 0);
                feed.add(cont);
                int n = has ? cont.length - 1 : 0;
                int[] p = new int[n], t = new int[n];
                for (int j = 0; j < n; j++) {
                    p[j] = j;
                    t[j] = cont[j + 1];
                }
                positions.add(p);
                targets.add(t);
            }
            try (ForwardState extended = state.extend(feed)) {
                List<float[]> lp = extended.logProbsAt(positions, targets);
                for (int b = 0; b < items.size(); b++) {
                    for (float v : lp.get(b)) sums[b][c] += v;
                }
            }
        }
        return sums;
    }

    private static double[][] toDouble(List<float[]> rows) {
        double[][] out = new double[rows.size()][];
        for (int b = 0; b < out.length; b++) {
            float[] r = rows.get(b);
            out[b] = new double[r.length];
            for (int j = 0; j < r.length; j++) out[b][j] = r[j];
        }
        return out;
    }

    /** Score of the gold option minus the best other option. */
    static double margin(double[] scores, int gold) {
        return scores[gold] - scores[bestWrong(scores, gold)];
    }

    private static int bestWrong(double[] scores, int gold) {
        int best = -1;
        for (int c = 0; c < scores.length; c++) {
            if (c != gold && (best < 0 || scores[c] > scores[best])) best = c;
        }
        return best;
    }
}
