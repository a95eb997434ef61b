package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.sinks.redis.DeltaMode;
import io.rollcast.sinks.redis.RedisSettings;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
import org.junit.jupiter.api.Test;

class RedisConfigTest {

    @Test
    void redisKeysMapOntoTheDeltaSinkSettings() {
        JobConfig c = JobConfig.defaults()
                .with("redis.uri", "redis://10.0.0.7:6380/2")
                .with("redis.mode", "coalesce")
                .with("redis.batch-size", "200")
                .with("redis.flush-interval", "5ms")
                .with("redis.coalesce-interval", "2s")
                .with("redis.max-buffered", "5000")
                .with("redis.stream-max-len", "300")
                .with("redis.stream-ttl", "2h")
                .with("redis.pool-size", "3");
        assertThat(c.redisSettings())
                .isEqualTo(new RedisSettings(
                        "redis://10.0.0.7:6380/2", DeltaMode.COALESCE, 200, 5, 2000, 5000, 300, 7200, 3, 300_000));
        assertThat(JobConfig.defaults().redisEnabled()).isFalse();
        assertThat(JobConfig.defaults().redisSettings()).isEqualTo(RedisSettings.of("redis://127.0.0.1:16379"));
    }

    @Test
    void badRedisValuesStopStartUpNamingTheKey() {
        assertThatThrownBy(() -> JobConfig.defaults().with("redis.mode", "loud"))
                .hasMessageContaining("redis.mode");
        assertThatThrownBy(() -> JobConfig.defaults().with("redis.uri", "http://h:1"))
                .hasMessageContaining("redis.uri");
        assertThatThrownBy(() -> JobConfig.defaults().with("redis.stream-ttl", "500ms"))
                .hasMessageContaining("redis.stream-ttl");
        assertThatThrownBy(() -> JobConfig.defaults().with("redis.coalesce-interval", "0s"))
                .hasMessageContaining("redis.coalesce-interval");
        assertThatThrownBy(() -> JobConfig.defaults().with("redis.batch-size", "0"))
                .hasMessageContaining("redis.batch-size");
    }

    @Test
    void aBackfillCoalescesDeltasUnlessTheModeIsSet() {
        assertThat(JobConfig.defaults().forBackfill().redisMode()).isEqualTo("coalesce");
        assertThat(JobConfig.defaults().with("redis.mode", "live").forBackfill().redisMode())
                .isEqualTo("live");
        assertThat(JobConfig.defaults().with("redis.mode", "off").forBackfill().redisMode())
                .isEqualTo("off");
    }

    @Test
    void theRedisPasswordIsMaskedInTheWebUi() {
        Map<String, String> shown = JobConfig.defaults()
                .with("redis.uri", "redis://app:s3cret@h:6379")
                .asMap();
        assertThat(shown.get("redis.uri")).isEqualTo("redis://******@h:6379");
    }

    @Test
    void deltasChainToTheRollupsWithStableUidsOnlyWhenRedisIsEnabled() {
        assertThat(uids(JobConfig.defaults())).doesNotContainKeys("delta-emitter", "sink-redis");

        Map<String, StreamNode> nodes = uids(JobConfig.defaults().with("redis.enabled", "true"));
        assertThat(nodes).containsKeys("window-rollups", "delta-emitter", "sink-redis");
        StreamNode emitter = nodes.get("delta-emitter");
        assertThat(emitter.getInEdges()).singleElement().satisfies(e -> {
            assertThat(e.getSourceId()).isEqualTo(nodes.get("window-rollups").getId());
            assertThat(e.getPartitioner()).isInstanceOf(ForwardPartitioner.class); // no shuffle
        });
    }

    private static Map<String, StreamNode> uids(JobConfig cfg) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        RollupJob.configure(env, cfg);
        var in = env.fromData(Ingested.of(new Event("e1", "acme", "click", 1_000, 1.0)))
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Ingested>forMonotonousTimestamps().withTimestampAssigner((x, t) -> 1_000));
        RollupJob.sinks(RollupJob.operators(in, cfg), cfg);
        StreamGraph g = env.getStreamGraph();
        return g.getStreamNodes().stream()
                .filter(n -> n.getTransformationUID() != null)
                .collect(Collectors.toMap(StreamNode::getTransformationUID, n -> n));
    }
}
