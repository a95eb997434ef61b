package io.rollcast.sinks.redis;

import io.rollcast.model.WindowDelta;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Publishes window deltas to per-tenant, per-spec, per-hour Redis channels and appends them to the
 * channels' capped recovery streams, batched in pipelines (see {@code docs/deltas.md}).
 *
 * <p>At least once while Redis is up: a checkpoint waits until every delta before it is published.
 * While Redis is unreachable the sink does not back-pressure the job (the stores keep being
 * written): it keeps the latest delta per window, bounded, and publishes them when Redis is back.
 * Subscribers discard what they already hold by version, so duplicates are harmless.
 */
public final class RedisDeltaSink implements Sink<WindowDelta> {
    private static final long serialVersionUID = 1L;

    private final RedisSettings settings;

    public RedisDeltaSink(RedisSettings settings) {
        this.settings = settings;
    }

    @Override
    public SinkWriter<WindowDelta> createWriter(WriterInitContext context) {
        return new RedisDeltaWriter(settings, context.getProcessingTimeService(), context.metricGroup());
    }

    public RedisSettings settings() {
        return settings;
    }
}
