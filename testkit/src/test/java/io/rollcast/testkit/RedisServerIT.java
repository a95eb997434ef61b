package io.rollcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

class RedisServerIT {

    @RegisterExtension
    static final RealServers SERVERS = new RealServers();

    @Test
    @Timeout(60)
    void patternSubscriberReceivesOnlyMatchingPublishedMessages(RedisServer redis) throws Exception {
        CountDownLatch subscribed = new CountDownLatch(1);
        BlockingQueue<List<String>> received = new LinkedBlockingQueue<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int subscribedChannels) {
                subscribed.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                received.add(List.of(pattern, channel, message));
            }
        };

        try (RedisClient subscriber = RedisClient.create(redis.uri());
                RedisClient publisher = RedisClient.create(redis.host(), redis.port())) {
            Thread thread = new Thread(() -> subscriber.psubscribe(listener, "agg:*"), "psubscribe");
            thread.start();
            assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(publisher.publish("other:t1", "ignored")).isZero();
            assertThat(publisher.publish("agg:t1:cpu", "{\"count\":5}")).isEqualTo(1);

            assertThat(received.poll(10, TimeUnit.SECONDS)).containsExactly("agg:*", "agg:t1:cpu", "{\"count\":5}");
            listener.punsubscribe();
            thread.join(10_000);
            assertThat(received).isEmpty();
        }
    }
}
