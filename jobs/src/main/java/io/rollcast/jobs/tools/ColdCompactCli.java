package io.rollcast.jobs.tools;

import io.rollcast.config.ConfigException;
import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.JobConfigOptions;
import io.rollcast.model.Durations;
import io.rollcast.store.ColdStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Merges the cold path's Parquet files: per tenant-day, the files older than {@code --min-age} become
 * one file with the newest version of each window (late corrections folded in), and the merged files
 * are deleted. Idempotent; run it on a schedule (cron, a Kubernetes CronJob) beside the job. See
 * {@link ColdStore#compact} and docs/cold.md.
 */
@Command(
        name = "cold-compact",
        mixinStandardHelpOptions = true,
        description = "Merges the cold path's Parquet files of each tenant-day into one (newest version per window).")
public final class ColdCompactCli implements Callable<Integer> {
    @Mixin
    JobConfigOptions options = new JobConfigOptions();

    @Option(names = "--path", description = "Cold root (default: cold.path of the config).")
    String path;

    @Option(
            names = "--min-files",
            defaultValue = "2",
            description = "Merge a tenant-day only when it has at least this many files old enough (default 2).")
    int minFiles;

    @Option(
            names = "--min-age",
            defaultValue = "10m",
            description = "Merge only files older than this (default 10m): longer than a checkpoint cycle,"
                    + " so a file a restarting job may commit again is never taken.")
    String minAge;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ColdCompactCli()).execute(args));
    }

    @Override
    public Integer call() {
        String root;
        Duration age;
        try {
            JobConfig cfg = options.load();
            root = path != null ? path : cfg.coldPath();
            age = Durations.parse(minAge);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("cold-compact: " + e.getMessage());
            return 2;
        }
        if (root.isEmpty()) {
            System.err.println("cold-compact: cold.path is empty; set it in the config or pass --path");
            return 2;
        }
        if (root.contains("://") && !root.startsWith("file://")) {
            System.err.println("cold-compact: " + root + " is not a local directory; compaction renames and deletes"
                    + " files and runs on local filesystems only (docs/cold.md)");
            return 2;
        }
        Path dir = Path.of(root.startsWith("file://") ? root.substring("file://".length()) : root);
        long t0 = System.nanoTime();
        try {
            List<ColdStore.Compacted> done = new ColdStore(dir).compact(minFiles, age, Instant.now());
            long files = 0, in = 0, out = 0;
            for (ColdStore.Compacted c : done) {
                System.out.printf(
                        "cold-compact %s: %d files, %d rows -> %d rows in %s%n",
                        dir.relativize(c.partition()),
                        c.filesIn(),
                        c.rowsIn(),
                        c.rowsOut(),
                        c.output().getFileName());
                files += c.filesIn();
                in += c.rowsIn();
                out += c.rowsOut();
            }
            System.out.printf(
                    "cold-compact: %d partitions, %d files, %d rows -> %d rows in %d ms%n",
                    done.size(), files, in, out, (System.nanoTime() - t0) / 1_000_000);
            return 0;
        } catch (Exception e) {
            System.err.println("cold-compact: " + e.getMessage());
            return 1;
        }
    }
}
