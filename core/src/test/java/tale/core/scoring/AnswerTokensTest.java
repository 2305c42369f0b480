package tale.core.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.core.task.Task;
import tale.core.task.TaskFixtures;
import tale.core.task.Tasks;
import tale.core.text.ChatTemplate;
import tale.core.text.Tokenizer;

/**
 * With a real BPE tokenizer (Qwen3's, from shared/data/tokenizers/qwen3), labels and answer texts are the
 * tokens that continue the prompt: prompt ids followed by an answer's ids are exactly the ids of the prompt
 * text followed by the answer text.
 */
class AnswerTokensTest {

    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
            + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    static Path qwen3() {
        Path dir = TaskFixtures.sharedTaskData().map(p -> p.getParent().resolve("tokenizers/qwen3")).orElse(null);
        assumeTrue(dir != null && Files.exists(dir.resolve("tokenizer.json")), "shared Qwen3 tokenizer not found");
        return dir;
    }

    @Test
    void realQwen3TemplateAnswersWithoutThinkingAndLettersAreOneToken() {
        Path dir = qwen3();
        Task task = Tasks.byName("arc_easy");
        List<Example> rows = task.load(TaskFixtures.fixture("arc.jsonl"));
        Demonstrations demos = Demonstrations.fromPool(rows.subList(1, 4), 2, 0);
        Prompts prompts = new Prompts(task, ChatTemplate.loadIfPresent(dir), demos);
        StringBuilder expected = new StringBuilder("<|im_start|>system\n" + task.system() + "<|im_end|>\n");
        for (Example d : demos.forExample(rows.get(0))) {
            expected.append("<|im_start|>user\n").append(d.prompt()).append("<|im_end|>\n<|im_start|>assistant\n")
                    .append(d.answer()).append("<|im_end|>\n");
        }
        expected.append("<|im_start|>user\n").append(rows.get(0).prompt())
                .append("<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
        assertEquals(expected.toString(), prompts.text(rows.get(0)));
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            Scorer scorer = new Scorer(prompts, Scoring.MARGIN, tokenizer, Set.of(), 1, 1);
            PreparedBatch.Item item = scorer.prepare(rows.subList(0, 1)).items().get(0);
            for (int c = 0; c < 4; c++) {
                assertEquals(1, item.labels().get(c).length);
                assertArrayEquals(tokenizer.encode(prompts.text(rows.get(0)) + item.example().labels().get(c)),
                        concat(item.prompt(), item.labels().get(c)));
            }
        }
    }

    @ParameterizedTest(name = "chat template: {0}")
    @ValueSource(booleans = {true, false})
    void answersContinueThePromptTokens(boolean chat) {
        Path dir = qwen3();
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            for (String name : List.of("arc_easy", "boolq", "winogrande", "bbh_boolean_expressions")) {
                Task task = Tasks.byName(name);
                String fixture = Map.of("arc_easy", "arc.jsonl", "boolq", "boolq.jsonl", "winogrande", "winogrande.jsonl",
                        "bbh_boolean_expressions", "boolean_expressions.json").get(name);
                List<Example> rows = task.load(TaskFixtures.fixture(fixture));
                Prompts prompts = new Prompts(task, chat ? Optional.of(new ChatTemplate(CHATML, Map.of())) : Optional.empty(),
                        Demonstrations.none());
                for (Scoring scoring : List.of(Scoring.MARGIN, Scoring.LOGLIK)) {
                    Scorer scorer = new Scorer(prompts, scoring, tokenizer, Set.of(), 1, 1);
                    PreparedBatch batch = scorer.prepare(rows);
                    for (PreparedBatch.Item item : batch.items()) {
                        String text = prompts.text(item.example());
                        for (int c = 0; c < item.labels().size(); c++) {
                            // after "assistant\n" every label is one token (one prefill, no decode step); after
                            // "Answer:" Qwen writes " 1" as a space and a digit
                            if (chat) assertEquals(1, item.labels().get(c).length, name + " label " + item.example().labels().get(c));
                            assertArrayEquals(tokenizer.encode(text + prompts.answerPrefix() + item.example().labels().get(c)),
                                    concat(item.prompt(), item.labels().get(c)));
                        }
                        // loglik continues with the answer texts; margin with labels longer than one token
                        List<String> continued = scoring == Scoring.LOGLIK ? item.example().choices() : item.example().labels();
                        for (int c = 0; c < item.continuations().size(); c++) {
                            assertArrayEquals(tokenizer.encode(text + prompts.answerPrefix() + continued.get(c)),
                                    concat(item.prompt(), item.continuations().get(c)), name + " " + scoring + " option " + c);
                        }
                    }
                }
            }
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
