package tale.core.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tale.core.InputException;
import tale.core.text.ChatMessage;
import tale.core.text.ChatTemplate;
import tale.core.text.Tokenizer;

/**
 * The exact text fed to the model for an example: the task's system message, then each demonstration as a
 * user turn and an assistant turn (chat-format few-shot, as lm-evaluation-harness does it with
 * {@code --fewshot_as_multiturn}), then the example's user turn, rendered through the model's chat template
 * with the generation prompt and {@code enable_thinking=false} (so that Qwen3 answers without a think block; other
 * templates ignore it). A template that rejects the system role (early Mistral templates raise an
 * exception) gets the system message prepended to the first user turn instead.
 *
 * <p>A model without a chat template gets a plain fallback:
 * <pre>
 * {system}
 *
 * {demonstration prompt}
 * Answer: {demonstration reply}
 *
 * {prompt}
 * Answer:</pre>
 * After a chat template the answer starts right after the generation prompt; after the fallback it starts
 * with a space ({@link #answerPrefix()}), as the model would write it after "Answer:".
 */
public final class Prompts {

    static final String FALLBACK_CUE = "Answer:";

    /** The model answers at once: Qwen3's template then closes an empty think block in the generation prompt. */
    static final Map<String, Object> TEMPLATE_VARIABLES = Map.of("enable_thinking", false);

    private final Task task;
    private final ChatTemplate template; // null: plain fallback
    private final Demonstrations demonstrations;
    private final String answerContext;

    public Prompts(Task task, Optional<ChatTemplate> template, Demonstrations demonstrations) {
        this.task = task;
        this.template = template.orElse(null);
        this.demonstrations = demonstrations;
        this.answerContext = render(List.of(ChatMessage.system(task.system()), ChatMessage.user("?")));
    }

    public Task task() {
        return task;
    }

    /** The conversation for {@code example}: system, demonstrations as user/assistant turns, the question. */
    public List<ChatMessage> messages(Example example) {
        List<ChatMessage> m = new ArrayList<>();
        m.add(ChatMessage.system(task.system()));
        for (Example d : demonstrations.forExample(example)) {
            m.add(ChatMessage.user(d.prompt()));
            m.add(ChatMessage.assistant(d.demonstration()));
        }
        m.add(ChatMessage.user(example.prompt()));
        return m;
    }

    /** The text the model reads, up to where its answer begins. */
    public String text(Example example) {
        return render(messages(example));
    }

    /** The token ids of {@link #text}: special tokens come from the template's text, none are added. */
    public int[] ids(Example example, Tokenizer tokenizer) {
        return tokenizer.encode(text(example));
    }

    /** What precedes an answer's first character: "" after a chat template's generation prompt, " " after "Answer:". */
    public String answerPrefix() {
        return template == null ? " " : "";
    }

    /**
     * A prompt of this task's shape (system message, a one-character question, the generation prompt or
     * "Answer:"): labels and answer texts are tokenized after it, so that their tokens are the ones the model
     * would produce there, whatever the tokenizer does at the boundary (e.g. SentencePiece's leading space).
     */
    public String answerContext() {
        return answerContext;
    }

    private static String fallback(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case "system" -> sb.append(m.content()).append("\n\n");
                case "user" -> sb.append(m.content()).append('\n').append(FALLBACK_CUE);
                default -> sb.append(' ').append(m.content()).append("\n\n");
            }
        }
        return sb.toString();
    }

    /** The conversation as text, ending where the assistant's answer begins. */
    private String render(List<ChatMessage> messages) {
        if (template == null) return fallback(messages);
        try {
            return template.render(messages, true, TEMPLATE_VARIABLES);
        } catch (InputException withSystem) {
            try {
                return template.render(withoutSystemRole(messages), true, TEMPLATE_VARIABLES);
            } catch (InputException ignored) {
                throw withSystem;
            }
        }
    }

    /** The system message folded into the first user turn, for templates that have no system role. */
    private static List<ChatMessage> withoutSystemRole(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.subList(1, messages.size()));
        out.set(0, ChatMessage.user(messages.get(0).content() + "\n\n" + out.get(0).content()));
        return out;
    }

}
