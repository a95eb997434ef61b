package io.rollcast.jobs;

import io.rollcast.config.ConfigException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Applies the rollup stores' schema migrations (sql/) with the job's config: the one way the schema
 * is made, run before the job is submitted ({@code bin/rollcast}, the compose stack's {@code schema}
 * service, the chart's JobManager init container). The job itself does no DDL.
 */
@Command(
        name = "schema",
        mixinStandardHelpOptions = true,
        description =
                "Applies the schema migrations of the rollup stores named by store.type (or --store) from the job config.")
public final class SchemaCli implements Callable<Integer> {
    @Mixin
    JobConfigOptions options = new JobConfigOptions();

    @Option(
            names = "--store",
            description = "Stores to migrate: postgres, clickhouse or both (default: those of store.type).")
    String store;

    @Option(
            names = "--if-configured",
            description =
                    "Exit 0 without doing anything when store.type is none (for scripts that run this before every submission).")
    boolean ifConfigured;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SchemaCli()).execute(args));
    }

    @Override
    public Integer call() {
        JobConfig cfg;
        try {
            cfg = options.load();
            if (store != null) cfg = cfg.with("store.type", store);
        } catch (ConfigException e) {
            System.err.println("schema: " + e.getMessage());
            return 2;
        }
        if (!cfg.storePostgres() && !cfg.storeClickHouse()) {
            if (ifConfigured) return 0;
            System.err.println("schema: store.type is none; name the stores with --store or store.type");
            return 2;
        }
        try {
            List<String> done = StoreSinks.migrate(cfg, cfg.storePostgres(), cfg.storeClickHouse());
            done.forEach(l -> System.out.println("schema " + l));
            return 0;
        } catch (RuntimeException e) {
            System.err.println("schema: " + e.getMessage());
            return 1;
        }
    }
}
