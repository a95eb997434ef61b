package io.rollcast.operators;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p><b>Auto size</b> ({@link #AUTO}, the job's default): the bound follows the heap. The caches of
 * the job open in this JVM (a TaskManager) share {@link #HEAP_FRACTION} of its max heap, each in
 * proportion to its operator's heap bytes per entry (measured by {@code bin/bench footprint} on
 * sparse keys), so all get the same number of entries: {@code fraction x heap / sum of their bytes
 * per entry}. On the 416 MB heap of the local stack's and the compose stack's TaskManager (2 slots,
 * both operators) that is ~97 000 entries, the former fixed default; larger heaps get more. The
 * bound is re-read on every check, so it follows the subtasks opening and closing.
 */
abstract class WriteBackOperator<IN, OUT> extends KeyedProcessOperator<String, IN, OUT> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WriteBackOperator.class);

    /** {@code maxCachedEntries} that sizes the cache from the heap (see the class comment). */
    public static final int AUTO = -1;

    /** Share of the JVM's max heap that the auto-sized caches of a job take together when full. */
    public static final double HEAP_FRACTION = 0.4;

    /**
     * The bytes per entry summed over the auto-sized caches open in this JVM (one job's: statics live
     * in its user-code class loader).
     */
    private static final AtomicLong OPEN_AUTO_BYTES = new AtomicLong();

    private final int maxCachedEntries;
    private final int bytesPerEntry;
    private transient boolean counted;
    private transient long maxHeap;

    /**
     * @param maxCachedEntries the bound, {@code 0} for write-through, or {@link #AUTO}
     * @param bytesPerEntry heap bytes of one cached entry of this operator, for {@link #AUTO}
     */
    WriteBackOperator(KeyedProcessFunction<String, IN, OUT> function, int maxCachedEntries, int bytesPerEntry) {
        super(function);
        if (maxCachedEntries < AUTO) {
            throw new IllegalArgumentException("maxCachedEntries must not be negative (or AUTO)");
        }
        if (bytesPerEntry <= 0) throw new IllegalArgumentException("bytesPerEntry must be positive");
        this.maxCachedEntries = maxCachedEntries;
        this.bytesPerEntry = bytesPerEntry;
    }

    /**
     * The auto bound of every open cache: {@code fraction x heap} over the bytes per entry summed over
     * the open caches; at least 1 000.
     */
    static int autoBound(long maxHeap, long openBytesPerEntry) {
        double entries = HEAP_FRACTION * maxHeap / Math.max(1, openBytesPerEntry);
        return (int) Math.max(1_000, Math.min(Integer.MAX_VALUE, entries));
    }

    /** The current bound of the cache in entries. */
    int bound() {
        return maxCachedEntries == AUTO ? autoBound(maxHeap, OPEN_AUTO_BYTES.get()) : maxCachedEntries;
    }

    /** The function's state cache; valid after the function's open(). */
    abstract StateCache cache();

    @Override
    public void open() throws Exception {
        super.open();
        if (maxCachedEntries != 0) cache().enableWriteBack(this::getCurrentKey); // 0: write-through
        if (maxCachedEntries == AUTO) {
            maxHeap = Runtime.getRuntime().maxMemory();
            counted = true;
            long open = OPEN_AUTO_BYTES.addAndGet(bytesPerEntry);
            LOG.info(
                    "{} subtask {}: write-back cache sized from the heap: {} entries now ({} of {} MB max heap over"
                            + " {} bytes per entry of the caches open, this one ~{})",
                    getUserFunction().getClass().getSimpleName(),
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                    bound(),
                    HEAP_FRACTION,
                    maxHeap >> 20,
                    open,
                    bytesPerEntry);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (counted) {
                counted = false;
                OPEN_AUTO_BYTES.addAndGet(-bytesPerEntry);
            }
        }
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        super.processElement(element);
        if (cache().size() > bound()) flush(true);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        super.onEventTime(timer);
        if (cache().size() > bound()) flush(true);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        super.onProcessingTime(timer);
        if (cache().size() > bound()) flush(true);
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
