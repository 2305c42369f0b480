package tale.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tale.core.text.ChatMessage;
import tale.core.text.ChatTemplate;

/**
 * The exact text of every task's prompt, zero-shot and 2-shot, under a ChatML template (Qwen's format) and
 * under the plain fallback. The expected texts are in src/test/resources/prompts/TASK.txt, one section per
 * configuration ending at "<<<END"; each was read and checked by hand against the task's prompt format.
 * The 2-shot texts also pin the seeded demonstration draw (seed 0, default split fractions, row 0).
 */
class PromptsTest {

    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
            + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    static final Optional<ChatTemplate> CHAT = Optional.of(new ChatTemplate(CHATML, Map.of()));

    @ParameterizedTest(name = "{0}")
    @CsvSource({"arc_easy, arc.jsonl", "arc_challenge, arc.jsonl", "boolq, boolq.jsonl", "mmlu, mmlu",
            "commonsense_qa, commonsense_qa.jsonl", "winogrande, winogrande.jsonl",
            "bbh_boolean_expressions, boolean_expressions.json", "gsm8k, gsm8k.jsonl", "math500, math500.jsonl",
            "mc, mc_novel.jsonl", "gen, gen.jsonl"})
    void promptTextIsExactlyAsSpecified(String taskName, String fixture) throws IOException {
        Task task = Tasks.byName(taskName);
        List<Example> rows = task.load(TaskFixtures.fixture(fixture));
        Map<String, String> expected = expectedSections(taskName);
        for (int shots : new int[] {0, 2}) {
            Demonstrations demos = Demonstrations.fromOtherParts(rows, SplitPlan.shuffled(0), shots, 0);
            assertEquals(expected.get("chatml " + shots + "-shot"), new Prompts(task, CHAT, demos).text(rows.get(0)),
                    taskName + " chatml " + shots + "-shot");
            assertEquals(expected.get("plain " + shots + "-shot"), new Prompts(task, Optional.empty(), demos).text(rows.get(0)),
                    taskName + " plain " + shots + "-shot");
        }
    }

    @Test
    void arcZeroShotUnderChatml() {
        List<Example> rows = Tasks.byName("arc_easy").load(TaskFixtures.fixture("arc.jsonl"));
        assertEquals("""
                <|im_start|>system
                You are answering a multiple choice science question. Reply with the letter of the correct option and nothing else.<|im_end|>
                <|im_start|>user
                Question: Which gas do plants take in from the air?
                A. oxygen
                B. carbon dioxide
                C. helium
                D. neon<|im_end|>
                <|im_start|>assistant
                """, new Prompts(Tasks.byName("arc_easy"), CHAT, Demonstrations.none()).text(rows.get(0)));
    }

    @Test
    void demonstrationsAreUserAndAssistantTurns() {
        Task task = Tasks.byName("gsm8k");
        List<Example> rows = task.load(TaskFixtures.fixture("gsm8k.jsonl"));
        List<ChatMessage> m = new Prompts(task, CHAT, Demonstrations.fromPool(rows.subList(1, 4), 2, 0)).messages(rows.get(0));
        assertEquals(List.of("system", "user", "assistant", "user", "assistant", "user"), m.stream().map(ChatMessage::role).toList());
        assertTrue(m.get(2).content().endsWith("\n#### " + rows.stream().filter(r -> r.prompt().equals(m.get(1).content()))
                .findFirst().orElseThrow().answer()));
        assertEquals(rows.get(0).prompt(), m.get(5).content());
    }

    @Test
    void answersFollowTheGenerationPromptOrTheFallbackCue() {
        Prompts chat = new Prompts(Tasks.byName("mc"), CHAT, Demonstrations.none());
        assertEquals("<|im_start|>system\n" + Tasks.byName("mc").system() + "<|im_end|>\n<|im_start|>user\n?<|im_end|>\n"
                + "<|im_start|>assistant\n", chat.answerContext());
        assertEquals("", chat.answerPrefix());
        Prompts plain = new Prompts(Tasks.byName("mc"), Optional.empty(), Demonstrations.none());
        assertEquals(Tasks.byName("mc").system() + "\n\n?\nAnswer:", plain.answerContext());
        assertEquals(" ", plain.answerPrefix());
        String llama3 = "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
                + " + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
        Prompts l3 = new Prompts(Tasks.byName("mc"), Optional.of(new ChatTemplate(llama3, Map.of())), Demonstrations.none());
        assertTrue(l3.answerContext().endsWith("?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"));
    }

    @Test
    void templateWithoutASystemRoleGetsTheSystemMessageInTheFirstUserTurn() {
        String noSystem = "{% for message in messages %}{% if message['role'] == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}"
                + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
                + "{% else %}{{ message['content'] + '</s>' }}{% endif %}{% endfor %}";
        Task task = Tasks.byName("bbh_boolean_expressions");
        List<Example> rows = task.load(TaskFixtures.fixture("boolean_expressions.json"));
        Prompts prompts = new Prompts(task, Optional.of(new ChatTemplate(noSystem, Map.of())), Demonstrations.none());
        assertEquals("[INST] " + task.system() + "\n\nTrue and False is [/INST]", prompts.text(rows.get(0)));
    }

    /** The sections of prompts/TASK.txt: "=== NAME\n" then the text up to "<<<END". */
    static Map<String, String> expectedSections(String task) throws IOException {
        String all;
        try (InputStream in = PromptsTest.class.getResourceAsStream("/prompts/" + task + ".txt")) {
            all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("=== ([^\\n]+)\\n(.*?)<<<END\\n", Pattern.DOTALL).matcher(all);
        while (m.find()) out.put(m.group(1), m.group(2));
        assertEquals(4, out.size(), "sections in prompts/" + task + ".txt");
        return out;
    }
}
