package io.rollcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MissingRuntimeTest {

    @Test
    void startWithoutInstalledRuntimeFailsNamingStackInstall(@TempDir Path emptyCache) {
        assertThatThrownBy(() -> ServerProcess.start("kafka", 2, Map.of("ROLLCAST_CACHE", emptyCache.toString())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bin/stack install")
                .hasMessageContaining("Kafka runtime missing");
    }

    @Test
    void freshNamesAreUniqueAndSafeForTopicsAndDatabases() {
        String a = ServerProcess.freshName("My-Topic.x");
        String b = ServerProcess.freshName("My-Topic.x");

        assertThat(a).matches("my_topic_x_\\d+_[0-9a-f]{6}").isNotEqualTo(b);
    }
}
