package io.rollcast.jobs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A local (MiniCluster) environment configured like the real clusters (bin/lib/flink.sh, the compose
 * stack, the chart): RocksDB with incremental checkpoints and RocksDB timers, checkpoints retained on
 * cancellation. The job no longer sets these itself; they are cluster settings. Then the job's own
 * settings ({@link RollupJob#configure}).
 */
public final class LocalEnvironments {
    private LocalEnvironments() {}

    public static StreamExecutionEnvironment of(JobConfig cfg) {
        return of(cfg, "rocksdb");
    }

    /** As {@link #of(JobConfig)} with {@code backend} ({@code rocksdb} or {@code hashmap}). */
    public static StreamExecutionEnvironment of(JobConfig cfg, String backend) {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", backend);
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("state.backend.rocksdb.timer-service.factory", "ROCKSDB");
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        RollupJob.configure(env, cfg);
        return env;
    }
}
