package io.rollcast.operators;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A {@code KeyedProcessOperator} whose function keeps its keyed state in a {@link StateCache}
 * in write-back mode: the cache is flushed to the state backend before every checkpoint barrier
 * ({@code prepareSnapshotPreBarrier}, which Flink calls for checkpoints and savepoints alike) and
 * at the end of input, and flushed and emptied when it holds more than {@code maxCachedEntries}.
 * A cache of size 0 is write-through: every change goes to the state backend at once, so the job
 * has one operator path whatever {@code state.write-back-max-entries} says.
 * Only an operator can do this: writing another key's state needs that key's context, which a
 * process function cannot switch.
 *
 * <p>State, names and uid are those of the plain {@code KeyedProcessOperator}: savepoints of either
 * restore into the other.
 */
abstract class WriteBackOperator<IN, OUT> extends KeyedProcessOperator<String, IN, OUT> {
    private static final long serialVersionUID = 1L;

    private final int maxCachedEntries;

    WriteBackOperator(KeyedProcessFunction<String, IN, OUT> function, int maxCachedEntries) {
        super(function);
        if (maxCachedEntries < 0) throw new IllegalArgumentException("maxCachedEntries must not be negative");
        this.maxCachedEntries = maxCachedEntries;
    }

    /** The function's state cache; valid after the function's open(). */
    abstract StateCache cache();

    @Override
    public void open() throws Exception {
        super.open();
        if (maxCachedEntries > 0) cache().enableWriteBack(this::getCurrentKey); // 0: write-through
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        super.processElement(element);
        if (cache().size() > maxCachedEntries) flush(true);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        super.onEventTime(timer);
        if (cache().size() > maxCachedEntries) flush(true);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        super.onProcessingTime(timer);
        if (cache().size() > maxCachedEntries) flush(true);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush(false);
    }

    @Override
    public void finish() throws Exception {
        super.finish();
        flush(false);
    }

    private void flush(boolean evict) throws Exception {
        Object key = getCurrentKey();
        cache().flush(this::setCurrentKey, evict);
        if (key != null) setCurrentKey(key);
    }
}
