package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The job configs shipped with the deployments use only keys the job knows (it refuses unknown keys
 * at start-up, which in a container means a crash loop, not a test failure).
 */
class JobConfigFilesTest {
    private static final Set<String> KEYS = Repo.jobConfigKeys();

    @Test
    void composeJobConfigUsesKnownKeys() {
        Map<String, String> conf = Repo.flatten(Repo.yaml(Repo.read("docker/conf/job.yaml")));
        assertThat(conf.keySet())
                .as("keys of docker/conf/job.yaml unknown to JobConfig")
                .isSubsetOf(KEYS);
        assertThat(conf.get("kafka.bootstrap-servers"))
                .as("the compose job reaches Kafka by its service name")
                .isEqualTo("kafka:9092");
    }

    @Test
    void chartDefaultJobConfigUsesKnownKeys() {
        Map<String, String> conf = Repo.flatten(
                Repo.yaml(Repo.read("helm/rollcast/values.yaml")).path("job").path("config"));
        assertThat(conf).isNotEmpty();
        assertThat(conf.keySet())
                .as("keys of job.config in helm/rollcast/values.yaml unknown to JobConfig")
                .isSubsetOf(KEYS);
        assertThat(conf.keySet())
                .as("passwords come from the Secret, not the ConfigMap")
                .noneMatch(k -> k.contains("password"));
    }
}
