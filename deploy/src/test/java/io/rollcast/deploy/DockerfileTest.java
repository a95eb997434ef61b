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
    void jobImageDefaultsToThePomsFlinkAndJavaVersions() {
        assertThat(JOB.globalArgs().get("FLINK_VERSION"))
                .as("ARG FLINK_VERSION in docker/flink-job/Dockerfile must equal flink.version of the parent pom")
                .isEqualTo(FLINK);
        assertThat(JOB.globalArgs().get("JAVA_VERSION"))
                .as(
                        "ARG JAVA_VERSION in docker/flink-job/Dockerfile must equal maven.compiler.release of the parent pom")
                .isEqualTo(JAVA);
        assertThat(JOB.stages())
                .extracting(Dockerfile.Stage::image)
                .containsExactly("maven:3.9-eclipse-temurin-" + JAVA, "flink:" + FLINK + "-java" + JAVA);
    }

    @Test
    void jobImageBuildsTheShadedJarWithACachedMavenRepository() {
        Dockerfile.Stage build = JOB.stages().get(0);
        assertThat(build.name()).isEqualTo("build");
        assertThat(String.join("\n", build.args("RUN")))
                .contains("--mount=type=cache,target=/root/.m2")
                .contains("-pl jobs -am package");
    }

    @Test
    void jobJarLandsInUsrlibAndTheConfigInConfRollcast() {
        List<String> copies = JOB.runtime().args("COPY");
        assertThat(copies)
                .anySatisfy(
                        c -> assertThat(c).contains("--from=build").endsWith(" /opt/flink/usrlib/rollcast-jobs.jar"));
        assertThat(copies)
                .anySatisfy(c ->
                        assertThat(c).contains("docker/conf/job.yaml").endsWith(" /opt/flink/conf/rollcast/job.yaml"));
        assertThat(Files.isRegularFile(Repo.path("docker/conf/job.yaml"))).isTrue();
    }

    @Test
    void jobImageRunsAsTheFlinkUser() {
        assertThat(lastUser(JOB)).isEqualTo("flink");
    }

    @Test
    void fanoutImageIsAJreWithTheServerAsNonRoot() {
        assertThat(FANOUT.globalArgs().get("JAVA_VERSION")).isEqualTo(JAVA);
        assertThat(FANOUT.stages())
                .extracting(Dockerfile.Stage::image)
                .containsExactly("maven:3.9-eclipse-temurin-" + JAVA, "eclipse-temurin:" + JAVA + "-jre");
        assertThat(String.join("\n", FANOUT.stages().get(0).args("RUN")))
                .contains("--mount=type=cache,target=/root/.m2")
                .contains("dependency:copy-dependencies");
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
                .contains("/opt/rollcast/lib/*");
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
