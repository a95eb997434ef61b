package io.rollcast.jobs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The job config's command-line options, {@code --config FILE} and {@code --set key=value}, shared
 * by the job and every command that reads its config (a picocli mixin).
 */
public final class JobConfigOptions {
    @Option(names = "--config", description = "YAML job config file.")
    Path config;

    @Option(
            names = "--set",
            description = "Override one config key, e.g. --set windows.early-interval=100ms (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The config: the file, then {@code ROLLCAST_JOB_*} variables, then {@code --set}; a bad key throws naming it. */
    public JobConfig load() {
        return JobConfig.load(config, System.getenv(), overrides);
    }
}
