package io.rollcast.operators;

import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.RejectReason;
import io.rollcast.model.Rejected;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.EnumMap;
import java.util.Map;

/**
 * Splits parsed records: valid events go on, rejected ones go to {@link #REJECTED} (the dead-letter
 * topic), counted per reason in the metric {@code dlq.<reason>.records}.
 */
public final class RouteRejected extends ProcessFunction<Ingested, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Rejected> REJECTED =
            new OutputTag<>("rejected", TypeInformation.of(Rejected.class));

    private transient Map<RejectReason, Counter> perReason;

    @Override
    public void open(OpenContext ctx) {
        perReason = new EnumMap<>(RejectReason.class);
        var group = getRuntimeContext().getMetricGroup().addGroup("dlq");
        for (RejectReason r : RejectReason.values()) {
            perReason.put(r, group.addGroup(r.code()).counter("records"));
        }
    }

    @Override
    public void processElement(Ingested in, Context ctx, Collector<Event> out) {
        if (in.isValid()) {
            out.collect(in.event());
        } else {
            perReason.get(in.rejected().reason()).inc();
            ctx.output(REJECTED, in.rejected());
        }
    }
}
