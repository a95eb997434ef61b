package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.fanout.auth.Tokens;
import io.rollcast.fanout.session.Session;
import io.rollcast.model.Channels;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * A live (open-ended) SSE session through 7 simulated days: the server's clock is moved an hour at a
 * time (hourly rollovers) and the client reconnects with {@code Last-Event-ID} every 12 hours, while
 * deltas are published to the current and the previous hour (late corrections) the way the sink does.
 * The session's channels, held windows and event id stay bounded, dropped hours are unsubscribed from
 * Redis, and the client receives every delta of its range: live, or replayed on resume, never a resync.
 */
@ExtendWith(RealServers.class)
@Timeout(300)
class SevenDaySessionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "week";
    private static final String SPEC = "tumbling-1m";
    private static final long HOUR = Channels.HOUR_MS;

    private static boolean subscribed(Jedis jedis, String channel) {
        Map<String, Long> n = jedis.pubsubNumSub(channel);
        return n.getOrDefault(channel, 0L) > 0;
    }

    private static void await(String what, java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void aSevenDayLiveSessionStaysBoundedAndReceivesEveryDelta(RedisServer redis) throws Exception {
        long t0 = (Channels.hourOf(System.currentTimeMillis()) + 1) * HOUR + 5 * 60_000; // 5 min into an hour
        SimClock clock = new SimClock(t0);
        String token =
                Tokens.mint(TestServer.SECRET, TENANT, List.of(SPEC), Instant.ofEpochMilli(t0 + 8 * 24 * HOUR), null);
        String path = "/v1/stream?spec=" + SPEC + "&access_token=" + token; // the last hour, live
        Set<String> expected = new LinkedHashSet<>(); // windowStart/version of every delta in range
        Set<String> received = new LinkedHashSet<>();
        int maxChannels = 0;
        int maxWindows = 0;
        int maxCursor = 0;
        int maxSubscribed = 0;
        int maxIdChars = 0;
        int reconnects = 0;
        int resyncs = 0;
        List<Integer> cursorByDay = new ArrayList<>();
        try (FanoutServer server =
                        TestServer.start(redis.uri().toString(), Map.of("sse.ping-interval", "100ms"), clock);
                Deltas deltas = new Deltas(redis.uri());
                Jedis probe = new Jedis(redis.uri())) {
            SseClient client = SseClient.open(server.port(), path);
            assertThat(client.status(5_000)).isEqualTo(200);
            assertThat(client.next("snapshot", 10_000)).isNotNull();
            String lastId = null;
            long version = 0;
            for (int hour = 0; hour < 7 * 24; hour++) {
                long now = t0 + hour * HOUR;
                long h = Channels.hourOf(now);
                if (hour > 0) {
                    if (hour % 12 == 0) { // the client goes away; deltas are published meanwhile; it resumes
                        client.close();
                        await("the session to end", () -> server.footprints().isEmpty());
                        clock.set(now);
                        for (long w : new long[] {h, h - 1}) { // the hour it misses and a late correction
                            long start = w * HOUR + 7 * 60_000;
                            deltas.publish(TENANT, "click", SPEC, start, ++version, version);
                            expected.add(start + "/" + 2 * version);
                        }
                        client = SseClient.open(server.port(), path, "Last-Event-ID", lastId);
                        assertThat(client.status(5_000)).isEqualTo(200);
                        reconnects++;
                    } else {
                        clock.set(now);
                    }
                    String next = Channels.channel(TENANT, SPEC, h + 1);
                    String left = Channels.channel(TENANT, SPEC, h - 2);
                    await("the rollover to hour " + hour, () -> subscribed(probe, next) && !subscribed(probe, left));
                }
                for (long w : new long[] {h, h - 1}) { // a window of this hour, and a late one of the previous
                    long start =
                            w * HOUR + (6 + hour % 50) * 60_000; // within the live hour (now - 1 h = 5 min past h - 1)
                    deltas.publish(TENANT, "page.view", SPEC, start, ++version, version);
                    expected.add(start + "/" + 2 * version);
                }
                deltas.publish(TENANT, "page.view", SPEC, (h - 3) * HOUR, ++version, version); // out of range
                while (!received.containsAll(expected)) {
                    SseClient.Event e = client.next(10_000);
                    assertThat(e)
                            .as("deltas of hour %d: missing %s", hour, missing(expected, received))
                            .isNotNull();
                    if (e.event().equals("resync")) resyncs++;
                    if (e.id() != null) {
                        lastId = e.id();
                        maxIdChars = Math.max(maxIdChars, lastId.length());
                    }
                    if (e.event().equals("delta")) {
                        JsonNode d = JSON.readTree(e.data());
                        received.add(d.get("window_start").asLong() + "/"
                                + d.get("version").asLong());
                        assertThat(d.get("window_start").asLong()).isGreaterThanOrEqualTo((h - 1) * HOUR);
                    }
                }
                List<Session.Footprint> f = server.footprints();
                assertThat(f).hasSize(1);
                maxChannels = Math.max(maxChannels, f.get(0).channels());
                maxWindows = Math.max(maxWindows, f.get(0).windows());
                maxCursor = Math.max(maxCursor, f.get(0).cursorChars());
                maxSubscribed = Math.max(maxSubscribed, server.subscribedChannels());
                if (hour % 24 == 23) cursorByDay.add(f.get(0).cursorChars());
            }
            // a resync on day 7 (the pub/sub connection is killed) reads the range now, not 7 days
            probe.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "pubsub");
            SseClient.Event resync = client.next("resync", 15_000);
            assertThat(resync).as("a resync after the Redis reconnect").isNotNull();
            long resyncFrom = JSON.readTree(resync.data()).get("from").asLong();
            assertThat(resyncFrom)
                    .as("the resync snapshot starts at the live range's start")
                    .isEqualTo(clock.millis() - HOUR);
            client.close();
        }
        System.out.printf(
                "7 simulated days: %d deltas received, %d reconnects, %d resyncs; per session at most %d channels,"
                        + " %d windows, event id %d chars (client saw %d; by day %s); at most %d Redis channels%n",
                received.size(),
                reconnects,
                resyncs,
                maxChannels,
                maxWindows,
                maxCursor,
                maxIdChars,
                cursorByDay,
                maxSubscribed);
        assertThat(received).containsAll(expected);
        assertThat(reconnects).isEqualTo(13);
        assertThat(resyncs).as("every reconnect resumed from its event id").isZero();
        assertThat(maxChannels)
                .as("1 h live range: the previous, current and next hour")
                .isEqualTo(3);
        assertThat(maxSubscribed).isLessThanOrEqualTo(3);
        assertThat(maxWindows).as("windows of the hours in range only").isLessThanOrEqualTo(6);
        assertThat(maxIdChars).as("the event id does not grow with age").isLessThan(150);
        assertThat(cursorByDay).allSatisfy(c -> assertThat(c).isLessThan(150));
    }

    private static Set<String> missing(Set<String> expected, Set<String> received) {
        Set<String> m = new LinkedHashSet<>(expected);
        m.removeAll(received);
        return m;
    }
}
