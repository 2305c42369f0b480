package tale.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tale.core.InputException;
import tale.core.model.Djl;
import tale.core.model.Model;

/** Device and precision settings as the engine on this machine sees them (these machines have no GPU). */
class HardwareTest {

    @Test
    void precisionsAreParsedAndOthersNamed() {
        assertEquals(Model.Precision.F32, Hardware.parsePrecision("f32"));
        assertEquals(Model.Precision.F16, Hardware.parsePrecision(" F16 "));
        InputException e = assertThrows(InputException.class, () -> Hardware.parsePrecision("bf16"));
        assertTrue(e.getMessage().contains("\"bf16\""), e.getMessage());
    }

    @Test
    void onACpuF16IsComputedInF32() {
        Djl.init();
        Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        assertEquals(new Model.Options(Model.Precision.F32, "cpu"), new Hardware("cpu", Model.Precision.F16).modelOptions());
        assertEquals(new Model.Options(Model.Precision.F32, "auto"), new Hardware("auto", Model.Precision.F16).modelOptions());
        assertEquals(new Model.Options(Model.Precision.F32, "cpu"), new Hardware("cpu", Model.Precision.F32).modelOptions());
    }

    @Test
    void aMissingGpuIsNamed() {
        Djl.init();
        Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        InputException e = assertThrows(InputException.class, () -> new Hardware("gpu", Model.Precision.F16).modelOptions());
        assertTrue(e.getMessage().contains("device gpu is not available"), e.getMessage());
    }
}
