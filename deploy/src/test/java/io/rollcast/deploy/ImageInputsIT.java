package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code mvn package} of deploy/ assembles in target/images for the Dockerfiles (an IT: it runs
 * after the package phase): the job jar, and the fan-out's runtime classpath with the versions the
 * fan-out is built with (a nearer test dependency of this module could otherwise replace one).
 */
class ImageInputsIT {
    @Test
    void jobImageGetsTheShadedJar() {
        assertThat(Repo.path("deploy/target/images/job/rollcast-jobs.jar")).isRegularFile();
    }

    @Test
    void fanoutImageClasspathHoldsOneVersionOfEachJarAndThePomsJackson() throws Exception {
        java.nio.file.Path lib = Repo.path("deploy/target/images/fanout/lib");
        assertThat(lib)
                .as("mvn package of deploy/ assembles the fan-out's classpath")
                .isDirectory();
        List<String> jars;
        try (var files = Files.list(lib)) {
            jars = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jar"))
                    .sorted()
                    .toList();
        }
        assertThat(jars).anySatisfy(j -> assertThat(j).startsWith("rollcast-fanout-"));
        // artifact name = the file name up to the version ("-" and a digit)
        assertThat(jars.stream().map(j -> j.replaceFirst("-\\d.*$", "")).toList())
                .as("one version per jar: %s", jars)
                .doesNotHaveDuplicates();
        String jackson = Repo.pomProperty("jackson.version");
        assertThat(jars.stream().filter(j -> j.startsWith("jackson-")))
                .as("the fan-out runs the Jackson it is built with")
                .isNotEmpty()
                .allSatisfy(j -> assertThat(j).endsWith("-" + jackson + ".jar"));
    }
}
