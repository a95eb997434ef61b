package io.rollcast.fanout.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.rollcast.fanout.metrics.Metrics;
import io.rollcast.fanout.redis.DeltaMessage;
import io.rollcast.fanout.redis.StreamId;
import io.rollcast.fanout.snapshot.StreamQuery;
import io.rollcast.model.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The parts a session is made of, each on its own. */
class SessionPartsTest {
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
    private static final StreamQuery LIVE =
            new StreamQuery("acme", "tumbling-1m", Optional.empty(), T0, Optional.empty());

    private static DeltaMessage delta(long hour, String type, long windowStart, long version, String streamId) {
        String json = "{\"event_type\":\"" + type + "\",\"window_start\":" + windowStart + ",\"version\":" + version
                + ",\"stream_id\":\"" + streamId + "\"}";
        return DeltaMessage.parse(
                Channels.channel("acme", "tumbling-1m", hour), json.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void hourChannelsWriteTheSameEventIdAsCursorAndRollOverToTheNextHour() {
        HourChannels hours = new HourChannels(LIVE);
        hours.open(T0);
        long h = Channels.hourOf(T0);
        assertThat(hours.names())
                .containsExactly(
                        Channels.channel("acme", "tumbling-1m", h), Channels.channel("acme", "tumbling-1m", h + 1));
        String first = hours.names().iterator().next();
        String text = hours.cursor(T0 + 5, Map.of(first, new StreamId(T0 - 1_000, 3)));
        TreeMap<Long, StreamId> byHour = new TreeMap<>(Map.of(h, new StreamId(T0 - 1_000, 3), h + 1, StreamId.ZERO));
        assertThat(text).isEqualTo(Cursor.format("tumbling-1m", T0 + 5, byHour));
        assertThat(Cursor.parse(text).positions()).isEqualTo(byHour);

        assertThat(hours.rollover(T0 + 10 * 60_000).isEmpty()).isTrue(); // the next hour is there already
        HourChannels.Change c = hours.rollover(T0 + Channels.HOUR_MS);
        assertThat(c.added()).containsExactly(Channels.channel("acme", "tumbling-1m", h + 2));
        assertThat(c.dropped()).as("a live range of span 0 left hour h").containsOnlyKeys(first);
        assertThat(hours.names()).hasSize(2);
        HourChannels closed = new HourChannels(
                new StreamQuery("acme", "tumbling-1m", Optional.empty(), T0, Optional.of(T0 + 60_000)));
        closed.open(T0);
        assertThat(closed.names()).hasSize(1);
        assertThat(closed.rollover(T0 + 10 * Channels.HOUR_MS).isEmpty()).isTrue();
    }

    @Test
    void aCursorResumesOnlyWhenItCoversEveryOlderHour() {
        HourChannels hours = new HourChannels(LIVE);
        hours.open(T0);
        long h = Channels.hourOf(T0);
        Cursor both =
                new Cursor("tumbling-1m", T0, new TreeMap<>(Map.of(h, new StreamId(T0, 1), h + 1, StreamId.ZERO)));
        assertThat(hours.resumePositions(both)).containsOnlyKeys(List.copyOf(hours.names()));
        Cursor onlyTheFirst = new Cursor("tumbling-1m", T0, new TreeMap<>(Map.of(h, new StreamId(T0, 1))));
        assertThat(hours.resumePositions(onlyTheFirst)).hasSize(1); // a newer hour starts at 0
        Cursor onlyTheSecond = new Cursor("tumbling-1m", T0, new TreeMap<>(Map.of(h + 1, new StreamId(T0, 1))));
        assertThat(hours.resumePositions(onlyTheSecond)).isNull(); // an older hour it has no position for
    }

    @Test
    void progressPassesADeltaOnlyAfterThePositionAndAboveTheVersion() {
        long h = Channels.hourOf(T0);
        String ch = Channels.channel("acme", "tumbling-1m", h);
        Progress p = new Progress();
        p.snapshot(Map.of(ch, new StreamId(T0, 5)), Map.of("click|" + T0, 3L), List.of(ch));
        assertThat(p.accept(delta(h, "click", T0, 4, T0 + "-5"), LIVE))
                .as("covered by the snapshot")
                .isFalse();
        assertThat(p.accept(delta(h, "click", T0, 3, T0 + "-6"), LIVE))
                .as("not a newer version")
                .isFalse();
        assertThat(p.positions().get(ch)).isEqualTo(new StreamId(T0, 6));
        assertThat(p.accept(delta(h, "click", T0, 4, T0 + "-7"), LIVE)).isTrue();
        assertThat(p.accept(delta(h + 5, "click", T0, 9, T0 + "-8"), LIVE))
                .as("not one of its channels")
                .isFalse();
    }

    @Test
    void aLiveRangeKeepsItsSpanOfChannelsWhateverItsAgeAndItsCursorStaysBounded() {
        long start = T0 + 25 * 60_000;
        HourChannels hours = new HourChannels(new StreamQuery(
                "acme", "tumbling-1m", Optional.empty(), start - 3 * Channels.HOUR_MS, Optional.empty()));
        hours.open(start);
        Progress p = new Progress();
        p.snapshot(Map.of(), Map.of(), hours.names());
        int maxChannels = 0;
        int maxCursor = 0;
        for (long now = start; now < start + 7 * 24 * Channels.HOUR_MS; now += 60_000) {
            HourChannels.Change c = hours.rollover(now);
            c.added().forEach(p::add);
            c.dropped().forEach(p::drop);
            long h = Channels.hourOf(now);
            assertThat(p.accept(delta(h, "click", h * Channels.HOUR_MS, now, now + "-0"), hours.current(now)))
                    .isTrue();
            maxChannels = Math.max(maxChannels, hours.size());
            maxCursor = Math.max(maxCursor, hours.cursor(now, p.positions()).length());
            assertThat(p.positions().keySet()).containsExactlyInAnyOrderElementsOf(hours.names());
        }
        assertThat(maxChannels).as("3 h span: at most 3 + 2 hours").isLessThanOrEqualTo(5);
        assertThat(p.windows()).as("one window per hour still in range").isLessThanOrEqualTo(5);
        assertThat(maxCursor).isLessThan(200);
    }

    @Test
    void aChannelAddedWhileASnapshotIsReadKeepsItsDeltas() {
        long h = Channels.hourOf(T0);
        HourChannels hours = new HourChannels(LIVE);
        hours.open(T0 + 30 * 60_000);
        Progress p = new Progress();
        java.util.List<String> syncing = List.copyOf(hours.names()); // the snapshot is read for these
        HourChannels.Change c = hours.rollover(T0 + Channels.HOUR_MS + 1); // meanwhile the hour turns
        c.added().forEach(p::add);
        c.dropped().forEach(p::drop);
        Map<String, StreamId> positions = new java.util.HashMap<>();
        for (String ch : syncing) positions.put(ch, new StreamId(T0, 1));
        p.snapshot(positions, Map.of(), hours.names()); // the snapshot arrives
        String added = c.added().get(0);
        assertThat(p.positions())
                .containsEntry(added, StreamId.ZERO)
                .doesNotContainKeys(c.dropped().keySet().toArray(String[]::new));
        assertThat(p.accept(delta(h + 2, "click", (h + 2) * Channels.HOUR_MS, 1, T0 + "-2"), LIVE))
                .as("a delta of the new hour's channel")
                .isTrue();
    }

    @Test
    void theSyncBufferForgetsWhatItHeldOnceItOverflows() {
        SyncBuffer b = new SyncBuffer(2);
        long h = Channels.hourOf(T0);
        b.add(delta(h, "a", T0, 1, T0 + "-1"));
        b.add(delta(h, "a", T0, 2, T0 + "-2"));
        assertThat(b.take()).hasSize(2);
        assertThat(b.take()).isEmpty();
        for (int i = 1; i <= 3; i++) b.add(delta(h, "a", T0, i, T0 + "-" + i));
        assertThat(b.take()).as("overflowed").isNull();
        assertThat(b.take()).isEmpty();
    }

    @Test
    void theOutboxQueuesWhileUnwritableAndDropsItsQueueOnOverflow() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Metrics metrics = new Metrics();
        Outbox out = new Outbox(ch, metrics, 2);
        assertThat(out.offer("a", false)).isTrue();
        assertThat((Object) ch.readOutbound()).isEqualTo("a");
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // as a full socket is
        assertThat(ch.isWritable()).isFalse();
        assertThat(out.offer("b", false)).isTrue();
        assertThat(out.offer("c", false)).isTrue();
        assertThat(out.stalled(System.currentTimeMillis() + 60_000, 30_000)).isTrue();
        assertThat(out.offer("d", false)).as("past client.max-pending").isFalse();
        assertThat(metrics.drops.sum()).isEqualTo(3);
        assertThat(out.offer("e", false)).as("dropped until the resync").isFalse();
        assertThat(out.offer("snapshot", true)).as("a forced frame is taken").isTrue();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        assertThat(out.drain()).isTrue();
        assertThat(out.takeOverflow()).isTrue();
        assertThat(out.takeOverflow()).isFalse();
        assertThat((Object) ch.readOutbound()).isEqualTo("snapshot");
        out.close();
        assertThat(out.offer("f", true)).isFalse();
    }
}
