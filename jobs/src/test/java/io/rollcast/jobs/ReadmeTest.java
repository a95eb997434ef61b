package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Docs that lie are bugs: the README's config table must be the one generated from {@link JobConfig}. */
class ReadmeTest {

    @Test
    void readmeConfigTableMatchesTheCode() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Files.writeString(Path.of("target", "config-table.md"), JobConfig.markdownTable());
        assertThat(readme)
                .as(
                        "README.md config table is stale: regenerate it with 'bin/rollcast tool config-table' (or copy jobs/target/config-table.md)")
                .contains(JobConfig.markdownTable().strip());
    }
}
