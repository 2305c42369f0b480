package tale.worker.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UnitRecordTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SPEC = "{\"model\":\"tiny\",\"task\":\"mc\",\"data\":\"x.jsonl\"}";

    @Test
    void aValidUnitIsRead() throws Exception {
        var unit = UnitRecord.parse(JSON, "{\"schemaVersion\":1,\"jobId\":\"j\",\"unitId\":\"u\",\"attempt\":2,\"spec\":"
                + SPEC + ",\"split\":\"search\",\"round\":1,\"removed\":[],\"candidates\":[-1,0],\"from\":0,\"to\":4,\"new\":1}");
        assertEquals("u", unit.unitId());
        assertEquals(2, unit.attempt());
    }

    @Test
    void notJsonNamesNoOneToAnswer() {
        UnitRecord.Unreadable e = assertThrows(UnitRecord.Unreadable.class, () -> UnitRecord.parse(JSON, "this is not JSON"));
        assertTrue(e.getMessage().startsWith("work-unit record is not JSON"), e.getMessage());
        assertEquals(Optional.empty(), e.address);
        assertEquals(Optional.empty(), assertThrows(UnitRecord.Unreadable.class, () -> UnitRecord.parse(JSON, null)).address);
    }

    @Test
    void anInvalidUnitThatNamesItsJobCanBeAnswered() {
        UnitRecord.Unreadable e = assertThrows(UnitRecord.Unreadable.class, () -> UnitRecord.parse(JSON,
                "{\"schemaVersion\":1,\"jobId\":\"j\",\"unitId\":\"u\",\"attempt\":3,\"spec\":" + SPEC
                        + ",\"split\":\"search\",\"round\":1,\"removed\":[],\"candidates\":[],\"from\":0,\"to\":4}"));
        assertEquals("invalid work unit: candidates is empty", e.getMessage());
        assertEquals(Optional.of(new UnitRecord.Address("j", "u", 3)), e.address);

        UnitRecord.Unreadable future = assertThrows(UnitRecord.Unreadable.class, () -> UnitRecord.parse(JSON,
                "{\"schemaVersion\":9,\"jobId\":\"j\",\"unitId\":\"u\"}"));
        assertTrue(future.getMessage().contains("schema"), future.getMessage());
        assertEquals(Optional.of(new UnitRecord.Address("j", "u", 1)), future.address);

        assertEquals(Optional.empty(), assertThrows(UnitRecord.Unreadable.class,
                () -> UnitRecord.parse(JSON, "[1,2]")).address);
    }
}
