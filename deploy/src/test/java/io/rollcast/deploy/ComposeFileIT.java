package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yaml is valid for docker-compose (no engine needed for `config`), starts services in
 * health order, and runs the Flink and Kafka versions of the parent pom.
 */
class ComposeFileIT {
    private static final Path COMPOSE = Repo.path("docker/compose.yaml");
    private static final List<String> FLINK_SERVICES = List.of("jobmanager", "taskmanager", "topic-init", "generator");

    private static String binary;
    private static Map<String, Object> services;

    record Result(int exitCode, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    @BeforeAll
    static void resolvedConfig() throws Exception {
        binary = composeBinary();
        Result r = compose(COMPOSE, Repo.path("docker"), "config");
        assertThat(r.exitCode()).as("docker-compose config:\n%s", r.output()).isZero();
        // stdout only: the resolved file (anchors and merges applied, paths absolute)
        services = Repo.at(Repo.yamlDocuments(r.stdout()).get(0), "services");
        assertThat(services).isNotEmpty();
    }

    /** docker-compose on the PATH (Debian's package, installed by bin/stack install). Missing is a failure, not a skip. */
    private static String composeBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "docker-compose");
            if (Files.isExecutable(p)) return p.toString();
        }
        return fail(
                "docker-compose is not on the PATH: run bin/stack install (it installs the Debian package docker-compose)");
    }

    private static Result compose(Path file, Path projectDir, String... args) throws IOException, InterruptedException {
        List<String> cmd =
                new ArrayList<>(List.of(binary, "-f", file.toString(), "--project-directory", projectDir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Repo.ROOT.toFile());
        Path err = Files.createTempFile("compose", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("docker-compose " + String.join(" ", args) + " did not finish in 60 s");
        }
        String stderr = Files.readString(err);
        Files.delete(err);
        return new Result(p.exitValue(), out, stderr);
    }

    @Test
    void composeFileIsValid() throws Exception {
        Result r = compose(COMPOSE, Repo.path("docker"), "config", "-q");
        assertThat(r.exitCode())
                .as("docker-compose -f docker/compose.yaml config -q:\n%s", r.output())
                .isZero();
    }

    @Test
    void brokenCopiesAreRejected() throws Exception {
        String original = Files.readString(COMPOSE);
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "compose-broken");
        Path misspelled = dir.resolve("misspelled.yaml");
        Files.writeString(misspelled, original.replace("healthcheck:", "healthchek:"));
        Result r1 = compose(misspelled, Repo.path("docker"), "config", "-q");
        assertThat(r1.exitCode()).isNotZero();
        assertThat(r1.output()).contains("healthchek");

        Path undefined = dir.resolve("undefined-dependency.yaml");
        Files.writeString(
                undefined,
                original.replace("      topic-init:\n        condition:", "      topic-inlt:\n        condition:"));
        assertThat(Files.readString(undefined)).isNotEqualTo(original);
        Result r2 = compose(undefined, Repo.path("docker"), "config", "-q");
        assertThat(r2.exitCode()).isNotZero();
        assertThat(r2.output()).contains("topic-inlt");
    }

    @Test
    void everyDependencyWaitsForHealthOrCompletion() {
        Set<String> dependedOn = new TreeSet<>();
        services.forEach((name, svc) -> {
            Map<String, Object> deps = Repo.at(svc, "depends_on");
            if (deps == null) return;
            deps.forEach((dep, spec) -> {
                String condition = Repo.at(spec, "condition");
                assertThat(condition)
                        .as("%s depends_on %s: wait for health or completion, not only for the start", name, dep)
                        .isIn("service_healthy", "service_completed_successfully");
                if (condition.equals("service_healthy")) dependedOn.add(dep);
                else
                    assertThat((Object) Repo.at(services, dep, "restart"))
                            .as("one-shot %s must not restart", dep)
                            .isEqualTo("no");
            });
        });
        assertThat(dependedOn).contains("kafka", "jobmanager", "postgres", "clickhouse", "redis");
        for (String dep : dependedOn) {
            assertThat((Object) Repo.at(services, dep, "healthcheck", "test"))
                    .as("service %s has dependants, so it needs a healthcheck", dep)
                    .isNotNull();
        }
    }

    @Test
    void flinkServicesRunTheJobImageBuiltOnThePomsFlinkVersion() {
        String flink = Repo.pomProperty("flink.version");
        for (String name : FLINK_SERVICES) {
            assertThat((String) Repo.at(services, name, "image"))
                    .as("%s image", name)
                    .endsWith("-flink" + flink);
            assertThat((String) Repo.at(services, name, "build", "dockerfile"))
                    .isEqualTo("docker/flink-job/Dockerfile");
            assertThat(String.valueOf((Object) Repo.at(services, name, "build", "args", "FLINK_VERSION")))
                    .as("%s build arg FLINK_VERSION must equal flink.version of the parent pom", name)
                    .isEqualTo(flink);
        }
        assertThat((String) Repo.at(services, "kafka", "image"))
                .as("the broker matches kafka.version of the parent pom (the connector's client)")
                .isEqualTo("apache/kafka:" + Repo.pomProperty("kafka.version"));
        assertThat((String) Repo.at(services, "postgres", "image")).startsWith("postgres:15");
        assertThat((String) Repo.at(services, "redis", "image")).startsWith("redis:7");
    }

    @Test
    void jobManagerRunsTheJobInApplicationModeWithTheMountedConfig() {
        List<String> command = Repo.at(services, "jobmanager", "command");
        assertThat(command).startsWith("standalone-job", "--job-classname", "io.rollcast.jobs.RollupJob");
        // without "--", Flink's parser takes "--config" for its own "--configDir" and the job starts without config
        int sep = command.indexOf("--");
        assertThat(sep).as("program arguments after \"--\"").isPositive();
        assertThat(command.subList(sep + 1, command.size()))
                .containsSequence("--config", "/opt/flink/conf/rollcast/job.yaml");

        for (String name : List.of("jobmanager", "taskmanager")) {
            assertThat(mounts(name))
                    .as("%s mounts", name)
                    .contains(
                            Repo.path("docker/conf") + " -> /opt/flink/conf/rollcast", "flink-data -> /opt/flink/data");
            String props = Repo.at(services, name, "environment", "FLINK_PROPERTIES");
            assertThat(props)
                    .contains(
                            "state.backend.type: rocksdb",
                            "execution.checkpointing.incremental: true",
                            "execution.checkpointing.dir: file:///opt/flink/data/",
                            "jobmanager.rpc.address: jobmanager");
        }
        assertThat(Files.isRegularFile(Repo.path("docker/conf/job.yaml"))).isTrue();
        assertThat(ports("jobmanager")).as("Flink web UI").contains("8081");
        assertThat(ports("fanout")).contains("8080");
    }

    @Test
    void generatorProducesLiveEventsWithTheJobJar() {
        List<String> entrypoint = Repo.at(services, "generator", "entrypoint");
        assertThat(entrypoint)
                .contains("java", "io.rollcast.jobs.Cli")
                .anySatisfy(a -> assertThat(a).startsWith("/opt/flink/usrlib/rollcast-jobs.jar:"));
        assertThat((List<String>) Repo.at(services, "generator", "command"))
                .startsWith("generate")
                .containsSequence("--bootstrap", "kafka:9092")
                .contains("--live")
                .containsSequence("--rate", "200");
        assertThat((List<String>) Repo.at(services, "topic-init", "command"))
                .startsWith("topics")
                .contains("events", "events.dlq", "events.late");
    }

    /** Volume mounts as "source -> target", from the short or the long syntax of the resolved file. */
    private static List<String> mounts(String service) {
        List<Object> volumes = Repo.at(services, service, "volumes");
        List<String> out = new ArrayList<>();
        for (Object v : volumes) {
            if (v instanceof String s) {
                String[] p = s.split(":");
                out.add(p[0] + " -> " + p[1]);
            } else {
                out.add(Repo.at(v, "source") + " -> " + Repo.at(v, "target"));
            }
        }
        return out;
    }

    /** Published ports, from the short or the long syntax. */
    private static List<String> ports(String service) {
        List<Object> ports = Repo.at(services, service, "ports");
        List<String> out = new ArrayList<>();
        for (Object p : ports) {
            // short syntax [HOST_IP:]PUBLISHED:TARGET[/PROTOCOL]
            String[] parts = String.valueOf(p).split(":");
            out.add(p instanceof Map<?, ?> m ? String.valueOf(m.get("published")) : parts[parts.length - 2]);
        }
        return out;
    }
}
