package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs the {@code schema} command with a job's arguments, as {@code bin/rollcast} does before every submission. */
public final class Schemas {
    private Schemas() {}

    /** Applies the migrations of the stores named in {@code jobArgs} ({@code --set}/{@code --config}; {@code --backfill} is dropped). */
    public static void migrate(List<String> jobArgs) {
        List<String> args = new ArrayList<>(List.of("--if-configured"));
        for (String a : jobArgs) if (!a.equals("--backfill")) args.add(a);
        assertThat(new CommandLine(new SchemaCli()).execute(args.toArray(String[]::new)))
                .as("schema " + args)
                .isZero();
    }
}
