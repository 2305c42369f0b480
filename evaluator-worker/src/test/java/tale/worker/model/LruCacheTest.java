package tale.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LruCacheTest {

    @Test
    void theLeastRecentlyUsedIsEvictedBeforeANewOneIsCreated() {
        List<String> events = new ArrayList<>();
        LruCache<String, String> cache = new LruCache<>(2, v -> events.add("closed " + v));
        cache.get("a", k -> { events.add("made a"); return "A"; });
        cache.get("b", k -> { events.add("made b"); return "B"; });
        assertEquals("A", cache.get("a", k -> { throw new AssertionError("a is cached"); }));
        cache.get("c", k -> { events.add("made c"); return "C"; });
        assertEquals(List.of("made a", "made b", "closed B", "made c"), events, "b was used least recently; closed first");
        assertTrue(cache.contains("a") && cache.contains("c") && !cache.contains("b"));
        cache.clear();
        assertEquals(0, cache.size());
        assertEquals(List.of("closed A", "closed C"), events.subList(4, 6));
    }

    @Test
    void aFailedCreationLeavesNothingBehind() {
        LruCache<String, String> cache = new LruCache<>(1, v -> { });
        assertThrows(IllegalStateException.class, () -> cache.get("x", k -> { throw new IllegalStateException("no"); }));
        assertFalse(cache.contains("x"));
        assertEquals("X", cache.get("x", k -> "X"));
        assertThrows(IllegalArgumentException.class, () -> new LruCache<String, String>(0, v -> { }));
    }
}
