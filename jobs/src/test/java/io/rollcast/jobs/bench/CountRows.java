package io.rollcast.jobs.bench;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Counts the records that pass into the accumulator {@code rows}, so the count survives the job. */
final class CountRows<T> extends RichMapFunction<T, T> {
    private transient LongCounter rows;

    @Override
    public void open(OpenContext ctx) {
        rows = getRuntimeContext().getLongCounter("rows");
    }

    @Override
    public T map(T r) {
        rows.add(1);
        return r;
    }
}
