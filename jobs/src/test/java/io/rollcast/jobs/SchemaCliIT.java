package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rollcast schema} applies both stores' migrations from the job config, and a second run changes nothing. */
@ExtendWith(RealServers.class)
@Timeout(120)
class SchemaCliIT {

    @Test
    void schemaCommandCreatesBothStoresTablesOnceFromTheJobConfig(
            PostgresServer pg, ClickHouseServer ch, @TempDir Path dir) throws Exception {
        String url = pg.freshDatabase("cli");
        String db = "cli_" + System.nanoTime();
        Path yaml = dir.resolve("job.yaml");
        Files.writeString(yaml, """
                store:
                  type: both
                  postgres:
                    url: "%s"
                    table: rollups_cli
                  clickhouse:
                    url: %s
                    database: %s
                """.formatted(url, ch.httpUrl(), db));

        assertThat(run("schema", "--config", yaml.toString()))
                .contains("schema postgres rollups_cli: applied V001__rollups")
                .contains("schema clickhouse " + db + ".rollups: applied V001__rollups");
        assertThat(run("schema", "--config", yaml.toString()))
                .contains("schema postgres rollups_cli: up to date")
                .contains("schema clickhouse " + db + ".rollups: up to date");
        assertThat(ch.query("EXISTS TABLE " + db + ".rollups FORMAT TabSeparated"))
                .isEqualTo("1\n");
    }

    @Test
    void schemaCommandRefusesAnInjectedTableName() {
        assertThat(new CommandLine(new Cli())
                        .execute("schema", "--store", "postgres", "--set", "store.postgres.table=x;drop"))
                .isEqualTo(2);
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new Cli()).execute(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
