package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The images are built from the versions in the parent pom, run as non-root, and put files where the runtime looks. */
class DockerfileTest {
    private static final Dockerfile JOB = Dockerfile.parse(Repo.read("docker/flink-job/Dockerfile"));
    private static final Dockerfile FANOUT = Dockerfile.parse(Repo.read("docker/fanout/Dockerfile"));

    private static final String FLINK = Repo.pomProperty("flink.version");
    private static final String JAVA = Repo.pomProperty("maven.compiler.release");

    @Test
    void jobImageDefaultsToTheOfficialFlinkImageOfThePomsVersions() {
        assertThat(JOB.globalArgs().get("FLINK_VERSION"))
                .as("ARG FLINK_VERSION in docker/flink-job/Dockerfile must equal flink.version of the parent pom")
                .isEqualTo(FLINK);
        assertThat(JOB.globalArgs().get("JAVA_VERSION"))
                .as(
                        "ARG JAVA_VERSION in docker/flink-job/Dockerfile must equal maven.compiler.release of the parent pom")
                .isEqualTo(JAVA);
        // one stage: the base is a build argument (FLINK_IMAGE) whose default is the official image
        assertThat(JOB.stages()).extracting(Dockerfile.Stage::image).containsExactly("flink:" + FLINK + "-java" + JAVA);
        assertThat(JOB.instructions().get(JOB.instructions().size() - 1).stage())
                .isZero();
    }

    @Test
    void jobJarLandsInUsrlibAndTheConfigInConfRollcast() {
        List<String> copies = JOB.runtime().args("COPY");
        assertThat(copies)
                .anySatisfy(c -> assertThat(c)
                        .contains("deploy/target/images/job/rollcast-jobs.jar")
                        .endsWith(" /opt/flink/usrlib/rollcast-jobs.jar"));
        assertThat(copies)
                .anySatisfy(c ->
                        assertThat(c).contains("docker/conf/job.yaml").endsWith(" /opt/flink/conf/rollcast/job.yaml"));
        assertThat(Files.isRegularFile(Repo.path("docker/conf/job.yaml"))).isTrue();
    }

    @Test
    void jobImageRunsAsTheFlinkUserWithAHealthCheck() {
        assertThat(lastUser(JOB)).isEqualTo("flink");
        assertThat(JOB.runtime().args("HEALTHCHECK")).singleElement().asString().contains("healthcheck.sh", "flink");
    }

    @Test
    void fanoutImageIsAJreWithTheServerAndItsConfigAsNonRoot() {
        assertThat(FANOUT.globalArgs().get("JAVA_VERSION")).isEqualTo(JAVA);
        assertThat(FANOUT.stages())
                .extracting(Dockerfile.Stage::image)
                .containsExactly("eclipse-temurin:" + JAVA + "-jre");
        assertThat(FANOUT.runtime().args("COPY"))
                .anySatisfy(c -> assertThat(c)
                        .contains("deploy/target/images/fanout/lib/")
                        .endsWith(" /opt/rollcast/lib/"));
        String user = lastUser(FANOUT);
        assertThat(user.split(":")[0])
                .as("a numeric non-root uid, so that Kubernetes' runAsNonRoot can verify it")
                .matches("[1-9][0-9]*");
        Dockerfile.Stage runtime = FANOUT.runtime();
        assertThat(runtime.args("EXPOSE")).containsExactly("8080");
        assertThat(runtime.args("HEALTHCHECK")).singleElement().asString().contains("/healthz");
        assertThat(runtime.args("ENTRYPOINT"))
                .singleElement()
                .asString()
                .contains("io.rollcast.fanout.FanoutServer")
                .contains("/opt/rollcast/lib/*")
                .as("the server reads the config file the image ships (and compose / Helm mount over)")
                .contains("\"--config\", \"/etc/rollcast/fanout.yaml\"");
        assertThat(runtime.args("COPY"))
                .anySatisfy(c ->
                        assertThat(c).startsWith("docker/conf/fanout.yaml").endsWith(" /etc/rollcast/fanout.yaml"));
    }

    @Test
    void buildContextSendsOnlyWhatTheImagesCopy() {
        List<String> ignore = Repo.read(".dockerignore")
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(ignore).as(".dockerignore is an allow-list").startsWith("*");
        for (Dockerfile d : List.of(JOB, FANOUT)) {
            for (String copy : d.runtime().args("COPY")) {
                String[] words = copy.replaceAll("--\\S+\\s+", "").split("\\s+");
                String src = words[0];
                assertThat(ignore)
                        .as("COPY %s: its source must be allowed by .dockerignore", src)
                        .anySatisfy(a -> assertThat(src).startsWith(a.substring(1)));
            }
        }
    }

    /** The effective USER of the runtime stage; the image must not run as root. */
    private static String lastUser(Dockerfile d) {
        List<String> users = d.runtime().args("USER");
        assertThat(users).as("the runtime stage sets USER").isNotEmpty();
        String user = users.get(users.size() - 1).strip();
        assertThat(user.split(":")[0]).isNotIn("root", "0");
        return user;
    }
}
