package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * A Redis pub/sub reconnect resyncs every session at once; with a snapshot pool far smaller than the
 * sessions, most resync snapshots are rejected by the pool. None of those sessions may freeze: each
 * gets its resync (retried with backoff) or is told why and closed, so its client reconnects.
 */
@ExtendWith(RealServers.class)
@Timeout(120)
class SnapshotPoolRejectionIT {
    private static final String SPEC = "tumbling-1m";
    private static final int SESSIONS = 40;

    @Test
    void sessionsWhoseResyncSnapshotIsRejectedByAFullPoolAreResyncedOrClosedNeverLeftSyncing(RedisServer redis)
            throws Exception {
        try (FanoutServer server =
                TestServer.start(redis.uri().toString(), Map.of("snapshot.threads", "1", "snapshot.queue", "1"))) {
            // 25 hour channels per session: each snapshot reads 25 recovery streams, so a burst of them outruns the one
            // thread
            long from = System.currentTimeMillis() - 24 * 3_600_000L;
            String path =
                    "/v1/stream?spec=" + SPEC + "&from=" + from + "&access_token=" + TestServer.token("burst", SPEC);
            List<SseClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < SESSIONS; i++) {
                    SseClient c = SseClient.open(server.port(), path);
                    clients.add(c);
                    assertThat(c.status(5_000)).isEqualTo(200);
                    assertThat(c.next("snapshot", 10_000)).isNotNull();
                }
                try (Jedis admin = new Jedis(redis.uri())) {
                    admin.sendCommand(
                            Protocol.Command.CLIENT,
                            "KILL",
                            "TYPE",
                            "pubsub"); // the fan-out reconnects and resyncs everyone
                }
                long deadline = System.currentTimeMillis() + 45_000;
                int resynced = 0;
                int closed = 0;
                for (SseClient c : clients) {
                    SseClient.Event e;
                    do {
                        e = c.next(Math.max(1, deadline - System.currentTimeMillis()));
                    } while (e != null
                            && !e.event().equals("resync")
                            && !e.event().equals("error"));
                    assertThat(e)
                            .as("every session is resynced or told why it is closed; none stays syncing")
                            .isNotNull();
                    if (e.event().equals("resync")) {
                        resynced++;
                    } else {
                        long end = System.currentTimeMillis() + 3_000;
                        while (!c.ended() && System.currentTimeMillis() < end) Thread.sleep(20);
                        assertThat(c.ended()).as("closed after its error event").isTrue();
                        closed++;
                    }
                }
                assertThat(resynced + closed).isEqualTo(SESSIONS);
                assertThat(server.metrics().snapshotRejections.sum())
                        .as("the pool did refuse snapshots")
                        .isPositive();
            } finally {
                for (SseClient c : clients) c.close();
            }
        }
    }
}
