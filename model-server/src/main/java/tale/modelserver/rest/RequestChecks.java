package tale.modelserver.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import tale.core.InputException;
import tale.core.model.Model;
import tale.core.text.ChatMessage;
import tale.modelserver.config.ServerConfig;
import tale.modelserver.rest.api.OpenAi;

/** Checks of request fields shared by the endpoints; each failure is a one-line 400. */
final class RequestChecks {

    private RequestChecks() { }

    /** Greedy decoding only: every field that would ask for sampling or extra outputs must be absent or neutral. */
    static void greedy(OpenAi.Sampling r) {
        if (r.temperature() != null && r.temperature() != 0) {
            throw new InputException("temperature must be 0 or absent: this server decodes greedily");
        }
        if (r.n() != null && r.n() != 1) throw new InputException("n must be 1: greedy decoding gives one answer");
        if (present(r.stop())) throw new InputException("stop is not supported; generation ends at the model's end-of-sequence tokens or max_tokens");
        JsonNode logprobs = r.logprobs();
        boolean noLogprobs = logprobs == null || logprobs.isNull() || logprobs.isBoolean() && !logprobs.asBoolean()
                || logprobs.isNumber() && logprobs.asInt() == 0;
        if (!noLogprobs) {
            throw new InputException("logprobs is not supported; use POST /v1/score for log-likelihoods");
        }
        if (Boolean.TRUE.equals(r.echo())) throw new InputException("echo is not supported");
        if (nonZero(r.presencePenalty()) || nonZero(r.frequencyPenalty())) {
            throw new InputException("presence_penalty and frequency_penalty must be 0 or absent: this server decodes greedily");
        }
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !(n.isArray() && n.isEmpty());
    }

    private static boolean nonZero(Double d) {
        return d != null && d != 0;
    }

    static int maxTokens(Integer requested, ServerConfig.Serving serving) {
        if (requested == null) return Math.min(serving.defaultMaxTokens(), serving.maxTokens());
        if (requested < 1) throw new InputException("max_tokens must be at least 1, got " + requested);
        if (requested > serving.maxTokens()) {
            throw new InputException("max_tokens " + requested + " exceeds this server's limit of " + serving.maxTokens()
                    + " (tale.serving.max-tokens)");
        }
        return requested;
    }

    /** A completion prompt: a string, a one-string array, or an array of token ids. */
    static int[] completionPrompt(JsonNode prompt, Model model) {
        if (prompt == null || prompt.isNull()) throw new InputException("prompt is missing");
        if (prompt.isTextual()) return model.tokenizer().encode(prompt.asText());
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            return model.tokenizer().encode(prompt.get(0).asText());
        }
        if (prompt.isArray() && !prompt.isEmpty()) {
            int[] ids = new int[prompt.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode n = prompt.get(i);
                if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                    throw new InputException("prompt must be a string, one string in an array, or an array of token ids");
                }
                ids[i] = n.asInt();
                if (ids[i] < 0 || ids[i] >= model.config().vocabSize()) {
                    throw new InputException("prompt token " + ids[i] + " is outside the vocabulary (size "
                            + model.config().vocabSize() + ")");
                }
            }
            return ids;
        }
        throw new InputException("prompt must be a string, one string in an array, or an array of token ids");
    }

    static List<ChatMessage> chatMessages(List<OpenAi.Message> messages) {
        if (messages == null || messages.isEmpty()) throw new InputException("messages is missing or empty");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            OpenAi.Message m = messages.get(i);
            if (m == null || m.role() == null || m.role().isBlank()) throw new InputException("messages[" + i + "].role is missing");
            out.add(new ChatMessage(m.role(), content(m.content(), i)));
        }
        return out;
    }

    private static String content(JsonNode content, int index) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw new InputException("messages[" + index + "].content: only text parts are supported");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw new InputException("messages[" + index + "].content must be a string or an array of text parts");
    }

    static void promptLength(int[] prompt, ServerConfig.Serving serving) {
        if (prompt.length == 0) throw new InputException("the prompt is empty (no tokens to condition on)");
        if (prompt.length > serving.maxPromptTokens()) {
            throw new InputException("the prompt has " + prompt.length + " tokens, more than this server's limit of "
                    + serving.maxPromptTokens() + " (tale.serving.max-prompt-tokens)");
        }
    }
}
