package tale.modelserver.batch;

/** Why generation ended, as OpenAI's {@code finish_reason} names it. */
public enum FinishReason {
    /** A stop token (end of sequence). */
    STOP("stop"),
    /** max_tokens reached. */
    LENGTH("length");

    public final String openAiName;

    FinishReason(String openAiName) {
        this.openAiName = openAiName;
    }
}
