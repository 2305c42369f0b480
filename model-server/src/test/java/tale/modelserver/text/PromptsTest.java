package tale.modelserver.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tale.core.text.ChatMessage;

class PromptsTest {

    @Test
    void chatWithoutATemplateFallsBackToRoleLines() {
        assertEquals("system: Be brief.\nuser: Hi\nassistant:",
                Prompts.plain(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"))));
    }
}
