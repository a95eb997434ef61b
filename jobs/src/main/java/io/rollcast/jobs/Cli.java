package io.rollcast.jobs;

import io.rollcast.jobs.gen.GeneratorCli;
import io.rollcast.jobs.tools.BackfillProgressCli;
import io.rollcast.jobs.tools.ColdCompactCli;
import io.rollcast.jobs.tools.RetentionCli;
import io.rollcast.jobs.tools.TopicsCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The operator's command line: generator, topics, config reference. The job itself is {@link RollupJob}. */
@Command(
        name = "rollcast",
        mixinStandardHelpOptions = true,
        description = "Rollcast tools (run with: java -cp <jobs jar>:<flink lib>/* io.rollcast.jobs.Cli ...).",
        subcommands = {
            GeneratorCli.class,
            TopicsCli.class,
            SchemaCli.class,
            BackfillProgressCli.class,
            ColdCompactCli.class,
            RetentionCli.class,
            Cli.ConfigTable.class
        })
public final class Cli implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Prints the job's config reference as a Markdown table. */
    @Command(name = "config-table", description = "Prints the job config reference (Markdown).")
    static final class ConfigTable implements Runnable {
        @Override
        public void run() {
            System.out.print(JobConfig.markdownTable());
        }
    }
}
