package tale.core.scoring;

import java.util.Optional;

/** Reads the answer out of a model's generated text; empty when there is none (the output is invalid). */
public interface AnswerParser {

    Optional<String> parse(String output);
}
