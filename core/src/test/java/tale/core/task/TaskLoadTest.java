package tale.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tale.core.InputException;

class TaskLoadTest {

    @TempDir
    Path tmp;

    /** Which task reads each file of shared/data/tasks. */
    private static final Map<String, String> TASK_OF_FILE = Map.of(
            "arc_easy.jsonl", "arc_easy", "arc_challenge.jsonl", "arc_challenge", "boolq.jsonl", "boolq",
            "commonsense_qa.jsonl", "commonsense_qa", "winogrande.jsonl", "winogrande",
            "bbh/boolean_expressions.json", "bbh_boolean_expressions", "gsm8k/test.jsonl", "gsm8k",
            "gsm8k/train.jsonl", "gsm8k");

    @Test
    void everySharedFileLoadsWithTheRowCountItsReadmeGives() throws IOException {
        Path dir = TaskFixtures.sharedTaskData().orElse(null);
        assumeTrue(dir != null, "shared/data/tasks not found (set TALE_TASK_DATA)");
        Map<String, Integer> expected = readmeRowCounts(Files.readString(dir.resolve("README.md")));
        assertEquals(TASK_OF_FILE.keySet(), expected.keySet(), "the README's table lists these files");
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            List<Example> rows = Tasks.byName(TASK_OF_FILE.get(e.getKey())).load(dir.resolve(e.getKey()));
            assertEquals(e.getValue(), rows.size(), e.getKey());
            for (int i = 0; i < rows.size(); i++) assertEquals(i, rows.get(i).index());
        }
    }

    /** "| `gsm8k/test.jsonl`, `gsm8k/train.jsonl` | GSM8K | 1319 / 7473 | ..." -> both files with their counts. */
    static Map<String, Integer> readmeRowCounts(String readme) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Pattern file = Pattern.compile("`([^`]+)`");
        for (String line : readme.split("\n")) {
            String[] cells = line.split("\\|");
            if (cells.length < 4 || !cells[1].contains("`")) continue;
            Matcher m = file.matcher(cells[1]);
            String[] numbers = cells[3].trim().split("\\s*/\\s*");
            int i = 0;
            while (m.find()) counts.put(m.group(1), Integer.parseInt(numbers[i++].trim()));
        }
        return counts;
    }

    @Test
    void sharedFilesParseIntoTheirPromptsAndGold() {
        Path dir = TaskFixtures.sharedTaskData().orElse(null);
        assumeTrue(dir != null, "shared/data/tasks not found (set TALE_TASK_DATA)");
        Example arc = Tasks.byName("arc_easy").load(dir.resolve("arc_easy.jsonl")).get(0);
        assertEquals("Question: Which statement best explains why photosynthesis is the foundation of most food webs?\n"
                + "A. Sunlight is the source of energy for nearly all ecosystems.\n"
                + "B. Most ecosystems are found on land instead of in water.\n"
                + "C. Carbon dioxide is more available than other gases.\n"
                + "D. The producers in all ecosystems are plants.", arc.prompt());
        assertEquals("A", arc.answer());
        Example boolq = Tasks.byName("boolq").load(dir.resolve("boolq.jsonl")).get(0);
        assertTrue(boolq.prompt().endsWith("\nQuestion: does ethanol take more energy make that produces?\nA. True\nB. False"));
        assertEquals("B", boolq.answer(), "gold \"no\" is False, option B");
        Example wino = Tasks.byName("winogrande").load(dir.resolve("winogrande.jsonl")).get(0);
        assertEquals("Sentence: Sarah was a much better surgeon than Maria so _ always got the easier cases.\n1. Sarah\n2. Maria",
                wino.prompt());
        assertEquals("2", wino.answer());
        Example gsm = Tasks.byName("gsm8k").load(dir.resolve("gsm8k/test.jsonl")).get(0);
        assertEquals("18", gsm.answer());
        assertFalse(gsm.demonstration().contains("<<"));
    }

    @Test
    void llmFoundryAndHuggingFaceRowsGiveTheSamePrompt() {
        assertEquals(load("arc_easy", "arc.jsonl").get(0).prompt(), load("arc_easy", "arc_hf.jsonl").get(0).prompt());
        assertEquals(load("boolq", "boolq.jsonl").subList(0, 2).stream().map(Example::prompt).toList(),
                load("boolq", "boolq_hf.jsonl").stream().map(Example::prompt).toList());
        assertEquals(load("winogrande", "winogrande.jsonl").get(0), load("winogrande", "winogrande_hf.jsonl").get(0));
        Example csqa = load("commonsense_qa", "commonsense_qa.jsonl").get(0);
        Example csqaHf = load("commonsense_qa", "commonsense_qa_hf.jsonl").get(0);
        assertEquals(csqa.prompt() + "\nE. pocket", csqaHf.prompt());
        assertEquals(List.of("A", "B", "C", "D", "E"), csqaHf.labels());
    }

    @Test
    void huggingFaceArcWithNumericLabelsIsLettered() {
        Example e = load("arc_challenge", "arc_hf.jsonl").get(1);
        assertEquals("Question: How many legs does an insect have?\nA. 4\nB. 6\nC. 8", e.prompt());
        assertEquals(1, e.gold());
        assertEquals("B", e.answer());
        assertEquals(List.of("4", "6", "8"), e.choices());
    }

    @Test
    void winograndeBlankIsRecoveredFromTheContexts() {
        List<Example> rows = load("winogrande", "winogrande.jsonl");
        assertEquals("Sentence: Anna lent Maria a pen because _ had forgotten hers.\n1. Anna\n2. Maria", rows.get(1).prompt());
        assertEquals(List.of("pen", "pencil"), rows.get(2).choices(), "one option is a prefix of the other");
        assertEquals("Sentence: Sam beat Alex at chess because _'s moves were careless.\n1. Sam\n2. Alex", rows.get(3).prompt());
    }

    @Test
    void mmluReadsCsvFilesDirectoriesAndHuggingFaceRows() {
        List<Example> dir = Tasks.byName("mmlu").load(TaskFixtures.fixture("mmlu"));
        assertEquals(4, dir.size());
        assertEquals(List.of(0, 1, 2, 3), dir.stream().map(Example::index).toList());
        assertEquals("Subject: abstract algebra\nQuestion: What is the order of the group Z_4?\nA. 2\nB. 4\nC. 8\nD. 1",
                dir.get(0).prompt());
        assertEquals("Subject: abstract algebra\nQuestion: Which of these is a field, given \"ring\" means commutative ring?\n"
                + "A. Z, the integers\nB. Q\nC. Z_6, with\naddition mod 6\nD. Z_8", dir.get(1).prompt());
        assertEquals("B", dir.get(1).answer());
        assertEquals("C", dir.get(2).answer());
        List<Example> one = Tasks.byName("mmlu").load(TaskFixtures.fixture("mmlu/anatomy_test.csv"));
        assertEquals(dir.get(2).prompt(), one.get(0).prompt());
        List<Example> hf = load("mmlu", "mmlu_hf.jsonl");
        assertEquals(one.get(0).prompt(), hf.get(0).prompt());
        assertEquals("C", hf.get(0).answer());
        assertEquals("Question: What is the order of the group Z_4?\nA. 2\nB. 4\nC. 8\nD. 1", hf.get(1).prompt());
        assertEquals("B", hf.get(1).answer());
    }

    @Test
    void generativeTasksKeepFinalAnswerAndWorkedReply() {
        List<Example> gsm = load("gsm8k", "gsm8k.jsonl");
        assertEquals("1,250", gsm.get(2).answer());
        assertEquals("She has 1500 - 250 = 1250 dollars left.\n#### 1,250", gsm.get(2).demonstration());
        List<Example> math = load("math500", "math500.jsonl");
        assertEquals("\\frac{3}{4}", math.get(0).answer());
        assertTrue(math.get(0).demonstration().endsWith("}$.\n#### \\frac{3}{4}"));
        assertEquals("#### 1024", math.get(3).demonstration(), "no solution: the reply is the final line alone");
        List<Example> gen = load("gen", "gen.jsonl");
        assertEquals(List.of("42", "6", "7", "4"), gen.stream().map(Example::answer).toList());
        assertEquals("What is 10 minus 4?", gen.get(1).prompt());
        assertEquals("3 + 4 = 7\n#### 7", gen.get(2).demonstration());
        assertEquals("#### 42", gen.get(0).demonstration());
    }

    @Test
    void booleanExpressionsReadsTheBbhFileAndGeneratedJsonLines() {
        List<Example> bbh = load("bbh_boolean_expressions", "boolean_expressions.json");
        assertEquals(4, bbh.size());
        assertEquals("True and False is", bbh.get(0).prompt());
        assertEquals("False", bbh.get(0).answer());
        assertEquals(List.of("True", "False"), bbh.get(0).labels());
        List<Example> generated = load("bbh_boolean_expressions", "boolean_expressions_generated.jsonl");
        assertEquals(List.of("True", "False"), generated.stream().map(Example::answer).toList());
    }

    @Test
    void genericMultipleChoiceLettersAnyNumberOfOptions() {
        List<Example> mc = load("mc", "mc_novel.jsonl");
        assertEquals(6, mc.size());
        assertEquals("Which animal is a mammal?\nA. shark\nB. eagle\nC. whale\nD. trout\nE. frog", mc.get(1).prompt());
        assertEquals("C", mc.get(1).answer());
        assertEquals(List.of("A", "B"), mc.get(3).labels());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON          | mc   | {"query": "q", "choices": ["a", "b"], "gold": 0}%n{"query": "q", "choices": ["a"  | :2: malformed JSON
            gold outside choices    | mc   | {"query": "q", "choices": ["a", "b"], "gold": 2}                                  | :1: gold 2 is outside the 2 choices
            negative gold           | mc   | {"query": "q", "choices": ["a", "b"], "gold": -1}                                 | :1: gold -1 is outside the 2 choices
            missing field           | mc   | {"query": "q", "gold": 0}                                                         | :1: missing field "choices"
            choices not a list      | mc   | {"query": "q", "choices": "ab", "gold": 0}                                        | :1: field "choices" must be a list
            not an object           | gen  | [1, 2]                                                                            | expected a JSON object
            gen without answer      | gen  | {"question": "q"}                                                                 | :1: missing field "answer" or "target"
            gsm8k without ####      | gsm8k | {"question": "q", "answer": "7"}                                                 | :1: answer has no final "#### <number>" line
            bbh bad target          | bbh_boolean_expressions | {"input": "True is", "target": "Maybe"}                        | :1: target must be True or False
            arc unknown answerKey   | arc_easy | {"question": "q", "choices": {"text": ["a", "b"], "label": ["A", "B"]}, "answerKey": "C"} | :1: answerKey "C" is not one of the choice labels [A, B]
            boolq bad choices       | boolq | {"query": "Passage: p\\nQuestion: q?", "choices": ["maybe", "yes"], "gold": 0}   | :1: choices must be "yes" and "no"
            empty file              | mc   | %n                                                                                | no rows
            """)
    void badInputNamesFileAndLine(String name, String task, String content, String expected) throws IOException {
        Path file = tmp.resolve("bad.jsonl");
        Files.writeString(file, content.formatted());
        InputException e = assertThrows(InputException.class, () -> Tasks.byName(task).load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badCsvAndMissingFileAreInputErrors() throws IOException {
        Path csv = tmp.resolve("x_test.csv");
        Files.writeString(csv, "q,a,b,c,d,A\nq2,a,b,c,d,F\n");
        InputException e = assertThrows(InputException.class, () -> Tasks.byName("mmlu").load(csv));
        assertTrue(e.getMessage().startsWith(csv + ":2: answer \"F\""), e.getMessage());
        Files.writeString(csv, "q,\"a,b,c,d,A\n");
        assertTrue(assertThrows(InputException.class, () -> Tasks.byName("mmlu").load(csv)).getMessage().contains("unterminated"));
        Path missing = tmp.resolve("nope.jsonl");
        assertEquals(missing + ": no such file", assertThrows(InputException.class, () -> Tasks.byName("mc").load(missing)).getMessage());
    }

    @Test
    void jsonArraysAndJsonLinesGiveTheSameRows() throws IOException {
        Path lines = tmp.resolve("rows.jsonl"), array = tmp.resolve("rows.json");
        Files.writeString(lines, "{\"query\": \"q1\", \"choices\": [\"a\", \"b\"], \"gold\": 1}\n\n"
                + "{\"query\": \"q2\", \"choices\": [\"c\", \"d\"], \"gold\": 0}\n");
        Files.writeString(array, "[\n  {\"query\": \"q1\", \"choices\": [\"a\", \"b\"], \"gold\": 1},\n"
                + "  {\"query\": \"q2\", \"choices\": [\"c\", \"d\"], \"gold\": 0}\n]\n");
        List<Example> fromLines = Tasks.byName("mc").load(lines);
        assertEquals(fromLines, Tasks.byName("mc").load(array));
        assertEquals(List.of(0, 1), fromLines.stream().map(Example::index).toList(), "blank lines are not rows");
        Files.writeString(array, "[{\"query\": \"q1\", \"choices\": [\"a\", \"b\"], \"gold\": 1}, {\"query\": 3}]");
        InputException e = assertThrows(InputException.class, () -> Tasks.byName("mc").load(array));
        assertEquals(array + ": row 1: missing field \"choices\"", e.getMessage());
    }

    @Test
    void unknownTaskIsAnInputError() {
        InputException e = assertThrows(InputException.class, () -> Tasks.byName("arc"));
        assertTrue(e.getMessage().startsWith("unknown task \"arc\"; known tasks: arc_easy, arc_challenge"), e.getMessage());
        assertEquals(11, Tasks.names().size());
    }

    static List<Example> load(String task, String fixture) {
        return Tasks.byName(task).load(TaskFixtures.fixture(fixture));
    }
}
