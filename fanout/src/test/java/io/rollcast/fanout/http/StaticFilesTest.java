package io.rollcast.fanout.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class StaticFilesTest {
    @Test
    void requestsForManyMissingPathsLeaveTheCacheBounded() {
        StaticFiles files = new StaticFiles();
        for (int i = 0; i < 20_000; i++) {
            String random = UUID.randomUUID().toString();
            assertThat(files.get("/static/" + random + ".js")).isEmpty();
            assertThat(files.get("/webjars/" + random + "/x.js")).isEmpty();
        }
        assertThat(files.cachedEntries()).as("missing files are not cached").isZero();
    }

    @Test
    void oneFileRequestedUnderManySpellingsIsCachedOnce() {
        StaticFiles files = new StaticFiles();
        for (int i = 1; i <= 1_000; i++) {
            files.get("/static/" + "./".repeat(i) + "app.js");
            files.get("/static/app.js" + "/".repeat(i));
            files.get("/static/app.js/" + ".".repeat(i % 2 + 1));
        }
        assertThat(files.get("/static/app.js")).isPresent();
        assertThat(files.cachedEntries()).isEqualTo(1);
    }

    @Test
    void existingFilesAreServedAndCachedOnce() {
        StaticFiles files = new StaticFiles();
        for (int i = 0; i < 3; i++) {
            assertThat(files.get("/"))
                    .hasValueSatisfying(f -> assertThat(f.contentType()).startsWith("text/html"));
            assertThat(files.get("/static/app.js")).isPresent();
        }
        assertThat(files.cachedEntries()).isEqualTo(2);
    }
}
