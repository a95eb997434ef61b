package io.rollcast.operators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * Keyed state of one operator, optionally behind a write-back heap cache.
 *
 * <p><b>Write-through</b> (the default, e.g. under a plain {@code KeyedProcessOperator}): every call
 * goes to the state backend.
 *
 * <p><b>Write-back</b> (enabled by {@link WriteBackOperator}): reads are served from the heap once a
 * value was read or written, and writes stay in the heap until {@link #flush} writes them to the
 * state backend under their key. The operator flushes before every checkpoint barrier, so every
 * checkpoint holds exactly what write-through would have written, and flushes and empties the cache
 * when it holds more than its bound. With RocksDB this removes most state reads and writes from the
 * per-event and per-row paths (see docs/windows.md for the figures).
 *
 * <p>Reads return copies, so callers may keep or mutate what they get (as with RocksDB, which
 * deserializes a fresh object per read); a write hands the object over.
 */
final class StateCache {
    private Supplier<Object> currentKey;
    private final List<Flushable> parts = new ArrayList<>();

    private interface Flushable {
        int size();

        /** Writes dirty entries, sorted by key; {@code setKey} switches the backend's key. */
        void flush(Consumer<Object> setKey) throws Exception;

        void evict();
    }

    /** Switches every part to write-back; {@code currentKey} returns the key the backend is set to. */
    void enableWriteBack(Supplier<Object> currentKey) {
        this.currentKey = currentKey;
    }

    boolean writeBack() {
        return currentKey != null;
    }

    /** Entries held in the heap over all parts (0 in write-through mode). */
    int size() {
        int n = 0;
        for (Flushable p : parts) n += p.size();
        return n;
    }

    /** Writes every dirty entry to the state backend; with {@code evict} the cache is emptied. The caller restores its key. */
    void flush(Consumer<Object> setKey, boolean evict) throws Exception {
        if (currentKey == null) return;
        for (Flushable p : parts) {
            p.flush(setKey);
            if (evict) p.evict();
        }
    }

    <V> CachedValue<V> value(ValueState<V> state, UnaryOperator<V> copy) {
        CachedValue<V> v = new CachedValue<>(state, copy);
        parts.add(v);
        return v;
    }

    <K, V> CachedMap<K, V> map(MapState<K, V> state, UnaryOperator<V> copy) {
        CachedMap<K, V> m = new CachedMap<>(state, copy);
        parts.add(m);
        return m;
    }

    private static final class Entry<V> {
        V value; // null: absent (a cleared value state, or a map key the state does not hold)
        boolean dirty;

        Entry(V value, boolean dirty) {
            this.value = value;
            this.dirty = dirty;
        }
    }

    private static <V> V copyOf(V v, UnaryOperator<V> copy) {
        return v == null ? null : copy.apply(v);
    }

    private static String order(Object key) {
        return String.valueOf(key);
    }

    /** A {@link ValueState} with the cache in front. */
    final class CachedValue<V> implements Flushable {
        private final ValueState<V> state;
        private final UnaryOperator<V> copy;
        private final Map<Object, Entry<V>> cache = new HashMap<>();

        private CachedValue(ValueState<V> state, UnaryOperator<V> copy) {
            this.state = state;
            this.copy = copy;
        }

        V value() throws Exception {
            if (currentKey == null) return state.value();
            Object key = currentKey.get();
            Entry<V> e = cache.get(key);
            if (e == null) {
                e = new Entry<>(state.value(), false);
                cache.put(key, e);
            }
            return copyOf(e.value, copy);
        }

        void update(V value) throws Exception {
            if (currentKey == null) {
                state.update(value);
                return;
            }
            Entry<V> e = cache.computeIfAbsent(currentKey.get(), k -> new Entry<>(null, false));
            e.value = value;
            e.dirty = true;
        }

        /** Clears the cached value and, at once, the state backend's (we are in the key's context). */
        void clear() {
            if (currentKey != null) cache.remove(currentKey.get());
            state.clear();
        }

        @Override
        public int size() {
            return cache.size();
        }

        @Override
        public void flush(Consumer<Object> setKey) throws Exception {
            List<Map.Entry<Object, Entry<V>>> dirty = new ArrayList<>();
            for (Map.Entry<Object, Entry<V>> e : cache.entrySet()) {
                if (e.getValue().dirty) dirty.add(e);
            }
            dirty.sort((a, b) -> order(a.getKey()).compareTo(order(b.getKey())));
            for (Map.Entry<Object, Entry<V>> e : dirty) {
                setKey.accept(e.getKey());
                if (e.getValue().value == null) state.clear();
                else state.update(copy.apply(e.getValue().value));
                e.getValue().dirty = false;
            }
        }

        @Override
        public void evict() {
            cache.clear();
        }
    }

    /** A {@link MapState} with the cache in front (get, put and remove). */
    final class CachedMap<K, V> implements Flushable {
        private record Slot(Object key, Object userKey) {}

        private final MapState<K, V> state;
        private final UnaryOperator<V> copy;
        private final Map<Slot, Entry<V>> cache = new HashMap<>();

        private CachedMap(MapState<K, V> state, UnaryOperator<V> copy) {
            this.state = state;
            this.copy = copy;
        }

        V get(K userKey) throws Exception {
            if (currentKey == null) return state.get(userKey);
            Slot s = new Slot(currentKey.get(), userKey);
            Entry<V> e = cache.get(s);
            if (e == null) {
                V v = state.get(userKey);
                if (v == null) return null; // absent entries are not cached
                e = new Entry<>(v, false);
                cache.put(s, e);
            }
            return copyOf(e.value, copy);
        }

        /**
         * As {@link #get}, but the cached instance itself, not a copy: for a read-modify-write that
         * puts the value back at once (one event's pane update). Saves copying a value that is
         * replaced anyway, which matters once it holds sketches of a few KB. Nothing else may keep it.
         */
        V getForUpdate(K userKey) throws Exception {
            if (currentKey == null) return state.get(userKey);
            Slot s = new Slot(currentKey.get(), userKey);
            Entry<V> e = cache.get(s);
            if (e == null) {
                V v = state.get(userKey);
                if (v == null) return null;
                e = new Entry<>(v, false);
                cache.put(s, e);
            }
            return e.value;
        }

        void put(K userKey, V value) throws Exception {
            if (currentKey == null) {
                state.put(userKey, value);
                return;
            }
            Entry<V> e = cache.computeIfAbsent(new Slot(currentKey.get(), userKey), k -> new Entry<>(null, false));
            e.value = value;
            e.dirty = true;
        }

        /** Removes from the cache and, at once, from the state backend (we are in the key's context). */
        void remove(K userKey) throws Exception {
            if (currentKey != null) cache.remove(new Slot(currentKey.get(), userKey));
            state.remove(userKey);
        }

        @Override
        public int size() {
            return cache.size();
        }

        @Override
        @SuppressWarnings("unchecked")
        public void flush(Consumer<Object> setKey) throws Exception {
            List<Map.Entry<Slot, Entry<V>>> dirty = new ArrayList<>();
            for (Map.Entry<Slot, Entry<V>> e : cache.entrySet()) {
                if (e.getValue().dirty) dirty.add(e);
            }
            dirty.sort(
                    (a, b) -> order(a.getKey().key()).compareTo(order(b.getKey().key())));
            Object last = null;
            for (Map.Entry<Slot, Entry<V>> e : dirty) {
                Object key = e.getKey().key();
                if (!key.equals(last)) {
                    setKey.accept(key);
                    last = key;
                }
                state.put((K) e.getKey().userKey(), copy.apply(e.getValue().value));
                e.getValue().dirty = false;
            }
        }

        @Override
        public void evict() {
            cache.clear();
        }
    }
}
