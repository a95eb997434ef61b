package io.rollcast.operators;

import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.RejectReason;
import io.rollcast.model.Rejected;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The first operator after the source, behind an exchange that sends each Kafka partition to one of
 * its subtasks (it sees each partition's records in offset order): rejected records go to {@link #REJECTED} (the dead-letter topic), counted per reason in
 * the metric {@code dlq.<reason>.records}; each valid event is stamped with its own partition's
 * watermark ({@link PartitionClock}) before any of its events is applied, so "too late" is decided
 * by the event's position in its partition and nothing else: a live run, a replay in any partition
 * order, a backfill and a run restored after a failure decide the same for the same record.
 *
 * <p>The clocks are checkpointed in union operator state {@code partition-clocks} (one entry per
 * partition with the offset it reached), so a restore, and a rescale that moves partitions between
 * subtasks, continues every partition's clock where the checkpointed offsets resume. Flink cannot
 * checkpoint union state of a partly finished job vertex, so this operator must not be chained to
 * a source (whose subtasks finish one by one in a bounded run): the job puts it behind an
 * all-to-all exchange, and its subtasks finish together.
 */
public final class RouteRejected extends ProcessFunction<Ingested, Event> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Rejected> REJECTED = new OutputTag<>("rejected", TypeInformation.of(Rejected.class));

    /** Events further than this ahead of their partition's time that did not move it are counted as outliers. */
    public static final long OUTLIER_METRIC_MS = 60_000L;

    private final int confirmations;
    private final long maxOutOfOrdernessMs;

    private transient Map<RejectReason, Counter> perReason;
    private transient Counter outliers;
    private transient ListState<long[]> clockState;
    private transient Map<Integer, PartitionClock> clocks;

    /**
     * @param confirmations as {@link EventWatermarks}'s, so the stamps equal the source's watermarks
     * @param maxOutOfOrderness as {@link EventWatermarks}'s
     */
    public RouteRejected(int confirmations, Duration maxOutOfOrderness) {
        this.confirmations = confirmations;
        this.maxOutOfOrdernessMs = maxOutOfOrderness.toMillis();
    }

    @Override
    public void open(OpenContext ctx) {
        perReason = new EnumMap<>(RejectReason.class);
        var group = getRuntimeContext().getMetricGroup().addGroup("dlq");
        for (RejectReason r : RejectReason.values()) {
            perReason.put(r, group.addGroup(r.code()).counter("records"));
        }
        outliers = getRuntimeContext().getMetricGroup().counter("eventsAheadOfPartitionTime");
    }

    @Override
    public void processElement(Ingested in, Context ctx, Collector<Event> out) {
        if (in.isValid()) {
            Event e = in.event();
            PartitionClock c = clocks.get(e.partition());
            if (c == null) {
                c = new PartitionClock(confirmations);
                clocks.put(e.partition(), c);
            }
            long wm = c.watermark(maxOutOfOrdernessMs);
            if (c.add(e.timestamp(), e.offset(), OUTLIER_METRIC_MS)) outliers.inc();
            out.collect(e.withPartitionWatermark(wm));
        } else {
            perReason.get(in.rejected().reason()).inc();
            ctx.output(REJECTED, in.rejected());
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        clockState = ctx.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>(
                        "partition-clocks", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        clocks = new HashMap<>();
        if (ctx.isRestored()) {
            // every subtask gets every subtask's clocks; per partition the one that reached the highest offset is
            // current
            Map<Integer, long[]> newest = new HashMap<>();
            for (long[] s : clockState.get()) {
                newest.merge((int) s[0], s, (a, b) -> b[1] > a[1] ? b : a);
            }
            newest.forEach((p, s) -> clocks.put(p, PartitionClock.fromState(s, confirmations)));
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        List<long[]> all = new ArrayList<>(clocks.size());
        clocks.forEach((p, c) -> all.add(c.toState(p)));
        clockState.update(all);
    }
}
