package tale.modelserver.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import tale.core.InputException;
import tale.core.model.LayerMask;
import tale.core.model.ModelConfig;
import tale.core.model.TinyCheckpoint;
import org.junit.jupiter.api.io.TempDir;

class ProfileTest {

    @TempDir Path dir;

    private ServedModel model() throws Exception {
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(6), dir);
        return new ServedModel("m", dir, ModelConfig.read(dir), Clock.systemUTC());
    }

    @Test
    void swapsVersionEveryChangeAndRollsBackInOrder() throws Exception {
        ServedModel m = model();
        var created = m.putProfile("task", m.mask("1"), "configuration");
        assertTrue(created.created());
        Profile p = created.profile();
        assertEquals(1, p.current().version());
        m.putProfile("task", m.mask("1,2"), "admin");
        m.putProfile("task", m.mask("1,2,3"), "selection job-7 (best, accuracy 0.9)");
        assertEquals(3, p.current().version());
        assertEquals(2, p.rollbackDepth());
        assertEquals(List.of(1, 2), p.rollback("admin rollback").orElseThrow().mask().removed());
        assertEquals(List.of(1), p.rollback("admin rollback").orElseThrow().mask().removed());
        assertTrue(p.rollback("admin rollback").isEmpty());
        assertEquals(5, p.current().version());
        assertEquals(List.of(ProfileChange.Action.CREATED, ProfileChange.Action.SET, ProfileChange.Action.SET,
                ProfileChange.Action.ROLLBACK, ProfileChange.Action.ROLLBACK), p.history().stream().map(ProfileChange::action).toList());
    }

    @Test
    void aRedeliveredChangeIsIgnored() throws Exception {
        ServedModel m = model();
        m.putProfile("task", m.mask("1"), "configuration");
        assertTrue(m.putProfile("task", m.mask("4"), "selection job-1").deployed().isPresent());
        assertTrue(m.putProfile("task", m.mask("4"), "selection job-1").deployed().isEmpty());
        assertEquals(2, m.profile("task").history().size());
    }

    @Test
    void theFullProfileAndBadMasksAreRefused() throws Exception {
        ServedModel m = model();
        assertEquals(LayerMask.full(6), m.profile("full").current().mask());
        assertThrows(ProfileConflictException.class, () -> m.putProfile("full", m.mask("1"), "admin"));
        assertThrows(ProfileConflictException.class, () -> m.removeProfile("full"));
        assertThrows(InputException.class, () -> m.mask("0,1,2,3,4,5"));
        assertThrows(InputException.class, () -> m.mask("6"));
        assertThrows(InputException.class, () -> m.putProfile("a:b", m.mask("1"), "admin"));
        assertEquals(LayerMask.full(6), m.mask("none"));
        assertThrows(UnknownModelException.class, () -> m.profile("nope"));
    }

    @Test
    void modelIdsParse() {
        assertEquals(new ModelId("qwen", "full"), ModelId.parse("qwen"));
        assertEquals(new ModelId("qwen", "boolq"), ModelId.parse("qwen:boolq"));
        assertThrows(InputException.class, () -> ModelId.parse("qwen:"));
        assertThrows(InputException.class, () -> ModelId.parse(":x"));
        assertThrows(InputException.class, () -> ModelId.parse("a:b:c"));
        assertEquals("qwen", ModelId.format("qwen", "full"));
    }
}
