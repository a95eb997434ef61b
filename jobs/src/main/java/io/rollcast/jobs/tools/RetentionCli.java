package io.rollcast.jobs.tools;

import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.JobConfigOptions;
import io.rollcast.jobs.StoreSinks;
import io.rollcast.model.Durations;
import io.rollcast.model.WindowSpec;
import io.rollcast.sinks.PostgresSettings;
import io.rollcast.store.Retention;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Drops the hot stores' rows older than {@code --older-than} by whole partitions (Postgres days,
 * ClickHouse months), for the stores the job config enables; idempotent, meant for a schedule (cron,
 * a Kubernetes CronJob). The cold path keeps the rows; the range API reads them from there
 * (set the fan-out's {@code api.hot-retention} to the same age). docs/stores.md "Retention".
 */
@Command(
        name = "retention",
        mixinStandardHelpOptions = true,
        description =
                "Drops partitions of the rollup stores wholly older than --older-than (Postgres days, ClickHouse months).")
public final class RetentionCli implements Callable<Integer> {
    @Mixin
    JobConfigOptions options = new JobConfigOptions();

    @Option(names = "--older-than", required = true, description = "Age beyond which rows go, e.g. 30d.")
    String olderThan;

    @Option(names = "--dry-run", description = "Print what would be dropped, drop nothing.")
    boolean dryRun;

    @Option(names = "--now", hidden = true, description = "The current time (RFC 3339), for tests.")
    String now;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RetentionCli()).execute(args));
    }

    @Override
    public Integer call() {
        JobConfig cfg;
        Duration age;
        Instant at;
        try {
            cfg = options.load();
            age = Durations.parse(olderThan);
            at = now == null ? Instant.now() : OffsetDateTime.parse(now).toInstant();
        } catch (RuntimeException e) {
            System.err.println("retention: " + e.getMessage());
            return 2;
        }
        // rows younger than the lateness plus the longest window can still change: never drop those
        long longest = 0;
        for (WindowSpec s : cfg.windowSpecs()) longest = Math.max(longest, s.sizeMs());
        Duration floor = Duration.ofHours(1).plus(cfg.allowedLateness()).plusMillis(longest);
        if (age.compareTo(floor) < 0) {
            System.err.printf(
                    "retention: --older-than %s is shorter than 1h + windows.allowed-lateness + the longest window"
                            + " (%s): rows that young can still change%n",
                    olderThan, Durations.format(floor));
            return 2;
        }
        if (!cfg.storePostgres() && !cfg.storeClickHouse()) {
            System.err.println("retention: store.type is none; nothing to do");
            return 2;
        }
        Instant cutoff = at.minus(age);
        List<Retention.Dropped> dropped = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            if (cfg.storePostgres()) {
                PostgresSettings p = StoreSinks.postgres(cfg);
                dropped.addAll(Retention.postgres(p.url(), p.user(), p.password(), p.table(), cutoff, dryRun));
            }
            if (cfg.storeClickHouse()) {
                dropped.addAll(Retention.clickhouse(StoreSinks.clickhouse(cfg).endpoint(), cutoff, dryRun));
            }
        } catch (Exception e) {
            System.err.println("retention: " + e.getMessage());
            return 1;
        }
        long rows = 0;
        for (Retention.Dropped d : dropped) {
            System.out.printf(
                    "retention %s: %s %s (%d rows)%n",
                    d.store(), dryRun ? "would drop" : "dropped", d.partition(), d.rows());
            rows += d.rows();
        }
        System.out.printf(
                "retention: %s %d partitions, %d rows older than %s in %d ms%n",
                dryRun ? "would drop" : "dropped", dropped.size(), rows, cutoff, (System.nanoTime() - t0) / 1_000_000);
        return 0;
    }
}
