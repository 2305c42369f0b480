package tale.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One example's score in a {@link UnitResult} (core's {@code ExampleResult} without the generated text).
 *
 * @param index      the example's row index in its task file
 * @param prediction the parsed answer ("" when none could be parsed)
 * @param gold       the right answer
 * @param correct    whether the prediction is right
 * @param margin     log p(gold) - max log p(wrong); null when the scoring computes none
 * @param invalid    the generated text held no parsable answer
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExampleScore(int index, String prediction, String gold, boolean correct, Double margin,
                           boolean invalid) {
}
