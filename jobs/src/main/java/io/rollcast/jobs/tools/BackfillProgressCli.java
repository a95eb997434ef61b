package io.rollcast.jobs.tools;

import io.rollcast.config.ConfigException;
import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.JobConfigOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Prints a backfill's progress (records done of those that existed at start, rate, ETA) from the
 * backfill consumer group's committed offsets, until it has read them all. A command beside the
 * job, not a thread inside it: {@code bin/rollcast backfill} runs both.
 */
@Command(
        name = "backfill-progress",
        mixinStandardHelpOptions = true,
        description = "Prints the progress of a backfill (--backfill) of the job config's topic until it is done.")
public final class BackfillProgressCli implements Callable<Integer> {
    /** The config the backfill runs with (same --config and --set). */
    @Mixin
    JobConfigOptions options = new JobConfigOptions();

    @Option(names = "--interval", defaultValue = "5000", description = "Milliseconds between lines (default 5000).")
    long intervalMs;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg;
        try {
            cfg = options.load().forBackfill();
        } catch (ConfigException e) {
            System.err.println("backfill-progress: " + e.getMessage());
            return 2;
        }
        long t0 = System.currentTimeMillis();
        try (BackfillProgress progress = new BackfillProgress(
                cfg.kafkaBootstrap(), cfg.kafkaTopic(), cfg.kafkaGroupId(), System.out, intervalMs)) {
            if (!progress.runUntil(true)) return 1;
            System.out.printf(
                    "backfill: committed all %,d records in %.1f s%n",
                    progress.total(), (System.currentTimeMillis() - t0) / 1000.0);
        }
        return 0;
    }
}
