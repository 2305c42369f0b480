package tale.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tale.core.InputException;

class ChatTemplateTest {

    private static final String CHATML = "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static String render(String template, List<ChatMessage> messages) {
        return new ChatTemplate(template, Map.of()).render(messages, false);
    }

    @Test
    void templateCodeInsideContentIsNeverEvaluated() {
        String content = "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %} {{ raise_exception('no') }} {# c #}";
        String out = new ChatTemplate(CHATML, Map.of()).render(List.of(ChatMessage.user(content)), true);
        assertEquals("<|im_start|>user\n" + content + "<|im_end|>\n<|im_start|>assistant\n", out);
        assertFalse(out.contains("49"));
    }

    @Test
    void specialTokensAndExtraVariablesReachTheTemplate() {
        ChatTemplate t = new ChatTemplate("{{ bos_token }}{{ messages[0].content }}{{ eos_token }}"
                + "{% if enable_thinking is defined and enable_thinking is false %}/no_think{% endif %}",
                Map.of("bos_token", "<s>", "eos_token", "</s>"));
        List<ChatMessage> hi = List.of(ChatMessage.user("hi"));
        assertEquals("<s>hi</s>", t.render(hi, true));
        assertEquals("<s>hi</s>/no_think", t.render(hi, true, Map.of("enable_thinking", false)));
        assertEquals("<x>hi</s>", t.render(hi, true, Map.of("bos_token", "<x>")), "kwargs override special tokens");
        assertThrows(IllegalArgumentException.class, () -> t.render(hi, true, Map.of("messages", List.of())));
    }

    @Test
    void raiseExceptionIsAnInputErrorWithTheTemplatesMessage() {
        String template = "{% if messages[0].role != 'system' %}{{ raise_exception('System message required.\\nSee docs.') }}{% endif %}ok";
        InputException e = assertThrows(InputException.class, () -> render(template, List.of(ChatMessage.user("hi"))));
        assertEquals("chat template refused the conversation: System message required.", e.getMessage());
        assertEquals("ok", render(template, List.of(ChatMessage.system("s"))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "||", quoteCharacter = '"', textBlock = """
            unclosed block         || a\\n{% if true %}b                 || chat template line 2: syntax error: 'if' is never closed (no 'endif')
            stray end tag          || a\\n\\n{% endif %}                 || chat template line 3: syntax error: unexpected 'endif'
            bad expression         || {{ 1 + }}                          || chat template line 1: Error parsing
            unterminated string    || x\\n{{ 'abc }}                     || chat template line 2: syntax error: unterminated string literal
            unterminated tag       || {{ messages                        || chat template line 1: syntax error: missing end of tag '}}'
            unterminated comment   || {# note                            || chat template line 1: syntax error: missing end of comment tag
            unknown filter         || {{ messages | max }}               || chat template: no filter named 'max'
            unknown test           || {{ messages is frobbed }}          || chat template: no test named 'frobbed'
            unknown tag            || {% frobnicate %}                   || chat template line 1: Syntax error in '{% frobnicate %}': Unknown tag: frobnicate
            unknown function       || {{ frob(1) }}                      || chat template line 1: Could not resolve function 'frob'
            slice step zero        || {{ messages[::0] }}                || slice step cannot be zero
            list mutation          || {{ messages.append(1) }}           || access to attribute 'append' of 'list' object is unsafe
            dict mutation          || {{ messages[0].update({}) }}       || access to attribute 'update' of 'dict' object is unsafe
            Java method on str     || {{ messages[0].content.getClass() }} || 'str' object has no attribute 'getClass'
            Java method on int     || {{ (1).hashCode() }}               || 'int' object has no attribute 'hashCode'
            wrong str arguments    || {{ 'a'.startswith() }}             || str.startswith() takes 1 to 3 arguments (0 given)
            """)
    void brokenTemplatesFailWithOneLineNamingTheProblem(String what, String template, String expected) {
        InputException e = assertThrows(InputException.class,
                () -> render(template.replace("\\n", "\n"), List.of(ChatMessage.user("hi"))), what);
        assertTrue(e.getMessage().contains(expected), what + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), what + ": one line: " + e.getMessage());
    }

    @Test
    void errorsNameTheFileTheTemplateCameFrom(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("chat_template.jinja"), "line one\n{{ raise_exception('bad turn') }}");
        ChatTemplate t = ChatTemplate.loadIfPresent(dir).orElseThrow();
        InputException e = assertThrows(InputException.class, () -> t.render(List.of(ChatMessage.user("x")), false));
        assertEquals(dir.resolve("chat_template.jinja") + " refused the conversation: bad turn", e.getMessage());
    }

    @Test
    void strftimeNowFormatsTheLocalDateAsPythonDoes() {
        String out = render("{{ strftime_now('%Y-%m-%d') }}|{{ strftime_now('%d %b %Y') }}", List.of());
        LocalDate today = LocalDate.now();
        String expected = today + "|" + today.format(DateTimeFormatter.ofPattern("dd MMM yyyy", java.util.Locale.US));
        assertEquals(expected, out); // at midnight the two calls may straddle days: rerun
    }

    @Test
    void loadsTheDefaultOfSeveralNamedTemplates(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>", "unk_token": null,
                 "additional_special_tokens": ["<a>", {"content": "<b>"}],
                 "chat_template": [{"name": "tool_use", "template": "tools"},
                                   {"name": "default", "template": "{{ bos_token }}{{ additional_special_tokens|join }}"}]}
                """);
        ChatTemplate t = ChatTemplate.loadIfPresent(dir).orElseThrow();
        assertEquals("{{ bos_token }}{{ additional_special_tokens|join }}", t.source());
        assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>", "additional_special_tokens", List.of("<a>", "<b>")),
                t.specialTokens());
        assertEquals("<s><a><b>", t.render(List.of(), false));
    }

    @Test
    void namedTemplatesWithoutDefaultAreRejected(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": [{"name": "tool_use", "template": "x"}, {"name": "rag", "template": "y"}]}""");
        InputException e = assertThrows(InputException.class, () -> ChatTemplate.loadIfPresent(dir));
        assertEquals(dir.resolve("tokenizer_config.json") + " chat_template: several templates [tool_use, rag] and none named \"default\"",
                e.getMessage());
    }

    @Test
    void chatTemplateJinjaBesideTheConfigWins(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\", \"chat_template\": \"old\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0].content }}{{ eos_token }}\n");
        ChatTemplate t = ChatTemplate.loadIfPresent(dir).orElseThrow();
        assertEquals("hi</s>", t.render(List.of(ChatMessage.user("hi")), false), "the file's final newline is dropped, as by Jinja2");
    }

    @Test
    void directoriesWithoutTemplateHaveNone(@TempDir Path dir) throws IOException {
        assertTrue(ChatTemplate.loadIfPresent(dir).isEmpty());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertTrue(ChatTemplate.loadIfPresent(dir).isEmpty());
    }

    @Test
    void malformedConfigNamesTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ");
        InputException e = assertThrows(InputException.class, () -> ChatTemplate.loadIfPresent(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer_config.json") + ": malformed JSON"), e.getMessage());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 42}");
        e = assertThrows(InputException.class, () -> ChatTemplate.loadIfPresent(dir));
        assertTrue(e.getMessage().endsWith("expected a string or a list of {name, template}"), e.getMessage());
    }

    @Test
    void syntaxErrorsInAFileNameItAndTheLineAtTheFirstRender(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("chat_template.jinja"), "{% for m in messages %}\n{{ m.content }}\n{{ 'x }}\n");
        ChatTemplate t = ChatTemplate.loadIfPresent(dir).orElseThrow(); // the model still loads
        InputException e = assertThrows(InputException.class, () -> t.render(List.of(ChatMessage.user("x")), false));
        assertEquals(dir.resolve("chat_template.jinja") + " line 3: syntax error: unterminated string literal", e.getMessage());
    }
}
