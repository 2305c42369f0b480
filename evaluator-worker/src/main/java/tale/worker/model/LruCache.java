package tale.worker.model;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * At most {@code capacity} values, the least recently used one evicted (and handed to {@code onEvict}) before a
 * new one is created, so that no more than {@code capacity} values ever exist at once (models are large).
 */
public final class LruCache<K, V> {

    private final int capacity;
    private final Consumer<V> onEvict;
    private final LinkedHashMap<K, V> entries = new LinkedHashMap<>(16, 0.75f, true);

    public LruCache(int capacity, Consumer<V> onEvict) {
        if (capacity < 1) throw new IllegalArgumentException("cache capacity must be at least 1, got " + capacity);
        this.capacity = capacity;
        this.onEvict = onEvict;
    }

    /** The value of {@code key}, created when absent; a creation that throws leaves the cache without it. */
    public synchronized V get(K key, Function<K, V> create) {
        V v = entries.get(key);
        if (v != null) return v;
        while (entries.size() >= capacity) {
            Iterator<Map.Entry<K, V>> eldest = entries.entrySet().iterator();
            V evicted = eldest.next().getValue();
            eldest.remove();
            onEvict.accept(evicted);
        }
        v = create.apply(key);
        entries.put(key, v);
        return v;
    }

    public synchronized boolean contains(K key) {
        return entries.containsKey(key);
    }

    public synchronized int size() {
        return entries.size();
    }

    /** Evicts everything. */
    public synchronized void clear() {
        List<V> all = new ArrayList<>(entries.values());
        entries.clear();
        all.forEach(onEvict);
    }
}
