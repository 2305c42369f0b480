package tale.modelserver.rest.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The OpenAI wire format this server speaks (the subset that greedy decoding can honour). Field names are
 * OpenAI's snake_case; unknown request fields are ignored, as OpenAI's own server does.
 */
public final class OpenAi {

    private OpenAi() { }

    /** POST /v1/completions. {@code prompt}: a string, a one-string array, or an array of token ids. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CompletionRequest(String model, JsonNode prompt, Integer maxTokens, Boolean stream, Double temperature,
                                    Integer n, JsonNode stop, JsonNode logprobs, Boolean echo, Double presencePenalty,
                                    Double frequencyPenalty, Boolean ignoreEos) implements Sampling { }

    /** POST /v1/chat/completions. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChatCompletionRequest(String model, List<Message> messages, Integer maxTokens, Integer maxCompletionTokens,
                                        Boolean stream, Double temperature, Integer n, JsonNode stop, JsonNode logprobs,
                                        Double presencePenalty, Double frequencyPenalty, Boolean ignoreEos) implements Sampling {
        @Override
        public Boolean echo() {
            return null;
        }
    }

    /** The request fields that decide how tokens are chosen, checked the same way for both endpoints. */
    public interface Sampling {
        Double temperature();

        Integer n();

        JsonNode stop();

        JsonNode logprobs();

        Boolean echo();

        Double presencePenalty();

        Double frequencyPenalty();
    }

    /** A chat message; {@code content} is a string or an array of {"type":"text","text":...} parts. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String role, JsonNode content) { }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Usage(int promptTokens, int completionTokens, int totalTokens) {
        public static Usage of(int prompt, int completion) {
            return new Usage(prompt, completion, prompt + completion);
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CompletionChoice(int index, String text, Object logprobs, String finishReason) { }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Completion(String id, String object, long created, String model, List<CompletionChoice> choices,
                             Usage usage, TaleInfo tale) { }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatMessage(String role, String content) { }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChatChoice(int index, ChatMessage message, Object logprobs, String finishReason) { }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices,
                                 Usage usage, TaleInfo tale) { }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChatDeltaChoice(int index, ChatMessage delta, Object logprobs, String finishReason) { }

    /** One server-sent event of a streamed chat completion; usage and tale come with the last one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChatCompletionChunk(String id, String object, long created, String model, List<ChatDeltaChoice> choices,
                                      Usage usage, TaleInfo tale) { }

    /** One server-sent event of a streamed completion; usage and tale come with the last one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CompletionChunk(String id, String object, long created, String model, List<CompletionChoice> choices,
                                  Usage usage, TaleInfo tale) { }

    /** OpenAI's error body: {"error": {"message", "type", "param", "code"}}. */
    public record ErrorBody(Error error) {
        @JsonInclude(JsonInclude.Include.ALWAYS)
        public record Error(String message, String type, String param, String code) { }

        public static ErrorBody of(String message, String type) {
            return new ErrorBody(new Error(message, type, null, null));
        }
    }
}
