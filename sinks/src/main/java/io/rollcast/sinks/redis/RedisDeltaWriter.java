package io.rollcast.sinks.redis;

import io.rollcast.model.WindowDelta;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The writer of {@link RedisDeltaSink}: buffers deltas and publishes them in pipelined batches on
 * the task thread.
 *
 * <p><b>Live</b>: deltas queue in arrival order and go out when {@code batchSize} are queued, when
 * the oldest has waited {@code flushIntervalMs}, and on every checkpoint. One writer owns all deltas
 * of a window and sends batches one after the other, so the order per window is kept.
 * <b>Coalesce</b>: the latest delta per window (changes summed over the ones it replaced) goes out
 * every {@code coalesceIntervalMs}, on every checkpoint, and early when {@code maxBuffered} windows
 * are held. <b>Off</b>: nothing is sent.
 *
 * <p><b>Outage.</b> A failed batch switches the writer to coalescing its buffer (bounded by
 * {@code maxBuffered} windows, the oldest dropped beyond) and to retrying with a backoff of 100 ms
 * doubling to 3 s; writes and checkpoints never wait for Redis meanwhile, so an outage does not
 * stall the job or the stores. Deltas held at a checkpoint during an outage are not part of it (a
 * failure then loses them; pub/sub is at most once anyway and clients resync from the store after a
 * Redis reconnect). At the end of a bounded input the writer waits up to a minute for Redis.
 *
 * <p><b>Loss is announced.</b> Redis may refuse only the writes (at {@code maxmemory}, a read-only
 * replica) while subscribers stay connected and see nothing wrong. So every hour channel whose deltas
 * the writer dropped gets a gap marker ({@link io.rollcast.model.RowCodec#gapJson}) once writes work
 * again, after the held deltas and not before the checkpoint after the drop (when the store sinks have
 * flushed the rows); the fan-out then resyncs that channel's clients from the store.
 */
final class RedisDeltaWriter implements SinkWriter<WindowDelta> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisDeltaWriter.class);
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 3_000;
    static final long END_OF_INPUT_WAIT_MS = 60_000;

    private final RedisSettings s;
    private final ProcessingTimeService time;
    private final DeltaPublisher publisher; // null when off
    /** Live mode: deltas in arrival order. */
    private final ArrayList<WindowDelta> queue = new ArrayList<>();
    /** Coalesce mode and outages: the latest delta per window, in order of first arrival. */
    private final LinkedHashMap<String, WindowDelta> latest = new LinkedHashMap<>();
    /**
     * Hour channels whose deltas were dropped (held beyond {@code maxBuffered} during an outage), with
     * how many: a gap marker goes to each once Redis takes writes again, so the fan-out resyncs their
     * clients from the store. One entry per (tenant, spec, hour) that lost something.
     */
    private final LinkedHashMap<String, DeltaPublisher.Gap> gaps = new LinkedHashMap<>();
    /**
     * Gaps recorded before the last checkpoint: published once Redis takes writes. A marker waits for
     * the checkpoint after its drop because the fan-out resyncs from the store: the store sinks flush
     * at every checkpoint, so once the next one started here (checkpoints do not overlap), the rows
     * whose deltas were dropped are in the store.
     */
    private final LinkedHashMap<String, DeltaPublisher.Gap> gapsDue = new LinkedHashMap<>();

    private long timerAt = Long.MAX_VALUE;
    /** When to try Redis again; 0 while it is reachable. */
    private long retryAt;

    private long backoffMs;

    private final Counter published;
    private final Counter coalesced;
    private final Counter dropped;
    private final Counter suppressed;
    private final Counter errors;
    private final Counter gapsMarked;
    private final Counter sendCounter;

    RedisDeltaWriter(RedisSettings s, ProcessingTimeService time, SinkWriterMetricGroup metrics) {
        this.s = s;
        this.time = time;
        this.publisher = s.mode() == DeltaMode.OFF ? null : new DeltaPublisher(s);
        this.published = metrics.counter("deltasPublished");
        this.coalesced = metrics.counter("deltasCoalesced");
        this.dropped = metrics.counter("deltasDropped");
        this.suppressed = metrics.counter("deltasSuppressed");
        this.errors = metrics.counter("redisErrors");
        this.gapsMarked = metrics.counter("gapMarkers");
        this.sendCounter = metrics.getNumRecordsSendCounter();
        metrics.gauge("deltasBuffered", () -> queue.size() + latest.size());
        LOG.info("Redis delta sink: {}", s);
    }

    private boolean down() {
        return retryAt != 0;
    }

    @Override
    public void write(WindowDelta d, Context context) {
        if (publisher == null) {
            suppressed.inc();
            return;
        }
        if (s.mode() == DeltaMode.COALESCE || down()) {
            coalesce(d);
        } else {
            queue.add(d);
        }
        long now = time.getCurrentProcessingTime();
        if (down()) {
            if (now >= retryAt) flushNow();
            else schedule(retryAt);
        } else if (s.mode() == DeltaMode.LIVE) {
            if (queue.size() >= s.batchSize() || s.flushIntervalMs() == 0) flushNow();
            else schedule(now + s.flushIntervalMs());
        } else {
            if (latest.size() >= s.maxBuffered()) flushNow();
            else schedule(now + s.coalesceIntervalMs());
        }
    }

    private void coalesce(WindowDelta d) {
        String key = d.windowKey();
        WindowDelta older = latest.get(key);
        if (older != null) {
            latest.put(key, d.since(older)); // keeps the window's place
            coalesced.inc();
            return;
        }
        latest.put(key, d);
        if (latest.size() > s.maxBuffered()) { // only while Redis is down; otherwise write() flushed
            Iterator<WindowDelta> it = latest.values().iterator();
            lost(it.next());
            it.remove();
            dropped.inc();
        }
    }

    /** Remembers that {@code d}'s channel lost a delta (a gap marker follows once Redis is back). */
    private void lost(WindowDelta d) {
        long hour = io.rollcast.model.Channels.hourOf(d.windowStart());
        add(gaps, new DeltaPublisher.Gap(d.tenantId(), d.spec(), hour, 1));
    }

    private static void add(LinkedHashMap<String, DeltaPublisher.Gap> to, DeltaPublisher.Gap g) {
        String key = g.tenant() + ':' + g.spec() + ':' + g.hour();
        DeltaPublisher.Gap held = to.get(key);
        to.put(
                key,
                held == null ? g : new DeltaPublisher.Gap(g.tenant(), g.spec(), g.hour(), held.count() + g.count()));
    }

    private void schedule(long at) {
        if (at >= timerAt) return;
        timerAt = at;
        time.registerTimer(at, this::onTimer);
    }

    private void onTimer(long timestamp) {
        if (timestamp >= timerAt) timerAt = Long.MAX_VALUE;
        if (queue.isEmpty() && latest.isEmpty() && gapsDue.isEmpty()) return;
        if (down() && time.getCurrentProcessingTime() < retryAt) {
            schedule(retryAt);
        } else {
            flushNow();
        }
    }

    /** Publishes everything held; on failure holds it (coalesced) and schedules a retry. */
    private void flushNow() {
        try {
            while (!latest.isEmpty()) { // older than the queue: the queue is empty while Redis is down
                List<WindowDelta> batch = new ArrayList<>(Math.min(s.batchSize(), latest.size()));
                Iterator<WindowDelta> it = latest.values().iterator();
                while (it.hasNext() && batch.size() < s.batchSize()) batch.add(it.next());
                publisher.publish(batch, time.getCurrentProcessingTime());
                it = latest.values().iterator();
                for (int i = 0; i < batch.size(); i++) {
                    it.next();
                    it.remove();
                }
                sent(batch.size());
            }
            while (!queue.isEmpty()) {
                List<WindowDelta> batch = queue.subList(0, Math.min(s.batchSize(), queue.size()));
                publisher.publish(batch, time.getCurrentProcessingTime());
                sent(batch.size());
                batch.clear();
            }
            if (!gapsDue.isEmpty()) { // after what was held: the fan-out resyncs these channels from the store
                List<DeltaPublisher.Gap> marked = List.copyOf(gapsDue.values());
                publisher.publishGaps(marked, time.getCurrentProcessingTime());
                gapsDue.clear();
                gapsMarked.inc(marked.size());
                LOG.warn("published gap markers for {} channels whose deltas were dropped", marked.size());
            }
            if (down()) LOG.info("Redis at {} is reachable again; publishing resumed", s.safeUri());
            retryAt = 0;
            backoffMs = 0;
        } catch (JedisException e) {
            errors.inc();
            for (WindowDelta d : queue) coalesce(d);
            queue.clear();
            if (!down()) {
                LOG.warn(
                        "Redis at {} failed ({}); holding the latest delta per window (at most {}) and retrying",
                        s.safeUri(),
                        e.toString(),
                        s.maxBuffered());
            }
            backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, 2 * backoffMs);
            retryAt = time.getCurrentProcessingTime() + backoffMs;
            schedule(retryAt);
        }
    }

    private void sent(int n) {
        published.inc(n);
        sendCounter.inc(n);
    }

    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        if (publisher == null) return;
        gaps.values().forEach(g -> add(gapsDue, g)); // a checkpoint (or the end): their rows reach the stores now
        gaps.clear();
        if (queue.isEmpty() && latest.isEmpty() && gapsDue.isEmpty()) return;
        if (!down() || time.getCurrentProcessingTime() >= retryAt) flushNow();
        if (!endOfInput) return; // during an outage a checkpoint does not wait for Redis
        long deadline = System.currentTimeMillis() + END_OF_INPUT_WAIT_MS;
        while (down() && System.currentTimeMillis() < deadline) {
            Thread.sleep(Math.max(
                    1, Math.min(retryAt - time.getCurrentProcessingTime(), deadline - System.currentTimeMillis())));
            flushNow();
        }
        if (down()) {
            int lost = queue.size() + latest.size();
            LOG.error(
                    "Redis at {} still unreachable at the end of the input: {} deltas not published",
                    s.safeUri(),
                    lost);
            dropped.inc(lost);
            queue.clear();
            latest.clear();
        }
    }

    @Override
    public void close() {
        if (publisher != null) publisher.close();
    }
}
