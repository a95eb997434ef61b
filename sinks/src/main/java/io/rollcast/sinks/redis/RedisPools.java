package io.rollcast.sinks.redis;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/**
 * Connection pools shared by the delta-sink subtasks of one TaskManager (one job class loader):
 * one pool per (URI, size), closed when its last user releases it.
 */
final class RedisPools {
    /** Connect and socket timeout of every connection. */
    static final int TIMEOUT_MS = 2_000;

    private record Shared(JedisPool pool, int[] users) {}

    private static final Map<String, Shared> POOLS = new HashMap<>();

    private RedisPools() {}

    static synchronized JedisPool acquire(String uri, int size) {
        Shared s = POOLS.computeIfAbsent(uri + "#" + size, k -> new Shared(create(uri, size), new int[1]));
        s.users()[0]++;
        return s.pool();
    }

    static synchronized void release(JedisPool pool) {
        var it = POOLS.values().iterator();
        while (it.hasNext()) {
            Shared s = it.next();
            if (s.pool() == pool && --s.users()[0] == 0) {
                it.remove();
                pool.close();
            }
        }
    }

    private static JedisPool create(String uri, int size) {
        JedisPoolConfig cfg = new JedisPoolConfig();
        cfg.setMaxTotal(size);
        cfg.setMaxIdle(size);
        cfg.setMinIdle(0);
        cfg.setMaxWait(Duration.ofSeconds(30)); // more subtasks than connections wait their turn
        cfg.setJmxEnabled(false); // no MBean pinning the job's class loader after a cancel
        return new JedisPool(cfg, URI.create(uri), TIMEOUT_MS);
    }
}
