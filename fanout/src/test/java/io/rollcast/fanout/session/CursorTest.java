package io.rollcast.fanout.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.fanout.redis.StreamId;
import io.rollcast.model.Channels;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CursorTest {

    @Test
    void aCursorRoundTripsThroughItsEventIdText() {
        TreeMap<Long, StreamId> p = new TreeMap<>();
        long h = Channels.hourOf(1_767_225_600_000L);
        p.put(h, new StreamId(1_767_225_599_000L, 3));
        p.put(h + 1, StreamId.ZERO);
        String text = Cursor.format("tumbling-1m", 1_767_225_600_123L, p);
        assertThat(text).isEqualTo("tumbling-1m~1767225600123~2026010100:1767225599000-3,2026010101:0");
        Cursor c = Cursor.parse(text);
        assertThat(c.spec()).isEqualTo("tumbling-1m");
        assertThat(c.base()).isEqualTo(1_767_225_600_123L);
        assertThat(c.positions()).isEqualTo(p);
    }

    @Test
    void malformedEventIdsAreRefused() {
        for (String bad : new String[] {
            "",
            "abc",
            "s~1~x:1-1",
            "s~1~2026010100",
            "s~1~2026010100:1-x",
            "s~x~2026010100:0",
            "1~2026010100:0",
            "bad spec~1~2026010100:0",
            "~1~2026010100:0"
        }) {
            assertThatThrownBy(() -> Cursor.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void streamIdsOrderAsRedisOrdersThem() {
        assertThat(StreamId.parse("5-1").isAfter(StreamId.parse("5-0"))).isTrue();
        assertThat(StreamId.parse("6-0").isAfter(StreamId.parse("5-18446744073709551615")))
                .isTrue();
        assertThat(StreamId.parse("5-18446744073709551615").next()).isEqualTo(new StreamId(6, 0));
        assertThat(StreamId.parse("0")).isEqualTo(StreamId.ZERO);
    }
}
