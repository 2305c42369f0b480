package tale.modelserver.text;

import java.util.List;
import tale.core.model.Model;
import tale.core.text.ChatMessage;

/**
 * Chat messages to prompt text: the model's own chat template (with the generation prompt) when it has
 * one; otherwise one "role: content" line per message and a final "assistant:" line, which models
 * without a template were not trained on, so they are best served through /v1/completions.
 */
public final class Prompts {

    private Prompts() { }

    public static String chat(Model model, List<ChatMessage> messages) {
        return model.chatTemplate()
                .map(t -> t.render(messages, true))
                .orElseGet(() -> plain(messages));
    }

    static String plain(List<ChatMessage> messages) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage m : messages) out.append(m.role()).append(": ").append(m.content()).append('\n');
        return out.append("assistant:").toString();
    }
}
