package tale.core.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParserTest {

    private static final LabelParser LETTERS = new LabelParser(List.of("A", "B", "C", "D"));
    private static final LabelParser DIGITS = new LabelParser(List.of("1", "2"));
    private static final LabelParser BOOLEANS = new LabelParser(List.of("True", "False"));
    private static final FinalAnswerParser FINAL = new FinalAnswerParser();

    /** Output, then the parsed label ("" = invalid). */
    @ParameterizedTest(name = "letters [{0}] -> [{1}]")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "A|A", " A|A", "(B)|B", "Answer: C|C", "answer: D|D", "**B**.|B", "B.|B", "The answer is C|C",
            "C) because|C", "\\nD\\n|D", "[A]|A", "''|''", " |''", "Answer|''", "a|''", "E|''", "AB|''", "I think B|B",
            "A or B|A", "Ans: (D)|D"})
    void letters(String output, String expected) {
        assertEquals(nullToEmpty(expected), LETTERS.parse(nullToEmpty(output)).orElse(""));
    }

    @ParameterizedTest(name = "digits [{0}] -> [{1}]")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "1|1", " 2|2", "Option 2|2", "(1)|1", "12|''", "3|''", "2.|2", "''|''"})
    void digits(String output, String expected) {
        assertEquals(nullToEmpty(expected), DIGITS.parse(nullToEmpty(output)).orElse(""));
    }

    @ParameterizedTest(name = "booleans [{0}] -> [{1}]")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "True|True", " False|False", "true|True", "FALSE.|False", "It is True|True", "Truely|''", "T|''",
            "False, not True|False", "''|''"})
    void booleans(String output, String expected) {
        assertEquals(nullToEmpty(expected), BOOLEANS.parse(nullToEmpty(output)).orElse(""));
    }

    /** Output, then the parsed final answer ("" = invalid). */
    @ParameterizedTest(name = "final [{0}] -> [{1}]")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "#### 18|18",
            "#### -7|-7",
            "\\boxed{1,234}|1234",
            "So the answer is \\boxed{\\frac{3}{4}}.|\\frac{3}{4}",
            "\\boxed{\\dfrac{3}{4}}|\\frac{3}{4}",
            "3 + 4 = 7\\n#### 7|7",
            "#### $1,250.00|1250",
            "#### 18.\\n|18",
            "5 apples then 12 apples|12",
            "#### 5\\nthen\\n#### 6|6",
            "no digits here|''",
            "''|''",
            "####\\nso 9|9",
            "\\boxed{(2, 2)}|(2,2)",
            "The total is 0.50 dollars|0.5",
            "\\boxed{50^\\circ}|50",
            "\\boxed{\\text{(B)}}|(B)",
            "#### -0|0"})
    void finalAnswers(String output, String expected) {
        assertEquals(nullToEmpty(expected), FINAL.parse(nullToEmpty(output)).orElse(""));
    }

    @ParameterizedTest(name = "[{0}] matches [{1}]: {2}")
    @CsvSource(delimiter = '|', value = {
            "18|18|true", "18.0|18|true", "1234|1,234|true", "1250|1,250|true", "18dollars|18|true",
            "17|18|false", "\\frac{3}{4}|\\frac{3}{4}|true", "\\frac{3}{4}|\\dfrac{3}{4}|true", "(2,2)|(2, 2)|true",
            "0.75|\\frac{3}{4}|false", "-7|-7|true", "7|-7|false"})
    void matching(String predicted, String gold, boolean expected) {
        assertEquals(expected, FinalAnswerParser.matches(predicted, gold));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s.replace("\\n", "\n");
    }
}
