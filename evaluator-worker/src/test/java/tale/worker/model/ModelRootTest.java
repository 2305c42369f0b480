package tale.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.InputException;
import tale.service.ConfinedRoot;

/** The model root as the worker builds it (service-support's ConfinedRoot): names escaping it are refused. */
class ModelRootTest {

    @TempDir Path tmp;

    private ConfinedRoot root() throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        Files.createDirectories(models.resolve("tiny"));
        Files.createDirectories(models.resolve("org/model-7b"));
        Files.createDirectories(tmp.resolve("secret"));
        return new ConfinedRoot(models, "model root");
    }

    @Test
    void namesResolveUnderTheRoot() throws Exception {
        ConfinedRoot root = root();
        assertEquals(tmp.resolve("models/tiny"), root.resolve("tiny", "model"));
        assertEquals(tmp.resolve("models/org/model-7b"), root.resolve("org/model-7b", "model"));
        assertEquals(tmp.resolve("models/tiny"), root.resolve("org/../tiny", "model"), "staying inside is fine");
        assertTrue(root.readable());
    }

    @Test
    void namesEscapingTheRootAreRefused() throws Exception {
        ConfinedRoot root = root();
        for (String name : new String[] {"../secret", "tiny/../../secret", tmp.resolve("secret").toString(), "..", "."}) {
            InputException e = assertThrows(InputException.class, () -> root.resolve(name, "model"), name);
            assertTrue(e.getMessage().contains("\"" + name + "\"") && e.getMessage().contains("outside the model root"),
                    e.getMessage());
        }
    }

    @Test
    void aLinkLeadingOutsideIsRefused() throws Exception {
        ConfinedRoot root = root();
        Files.createSymbolicLink(tmp.resolve("models/link"), tmp.resolve("secret"));
        InputException e = assertThrows(InputException.class, () -> root.resolve("link", "model"));
        assertTrue(e.getMessage().contains("through a link"), e.getMessage());
    }

    @Test
    void missingAndBlankNamesAreNamed() throws Exception {
        ConfinedRoot root = root();
        InputException missing = assertThrows(InputException.class, () -> root.resolve("nope", "model"));
        assertTrue(missing.getMessage().startsWith("model \"nope\" not found under the model root"), missing.getMessage());
        assertThrows(InputException.class, () -> root.resolve(" ", "model"));
        assertThrows(InputException.class, () -> root.resolve(null, "model"));
        assertFalse(new ConfinedRoot(tmp.resolve("absent"), "model root").readable());
    }
}
