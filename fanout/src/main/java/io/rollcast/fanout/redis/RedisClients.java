package io.rollcast.fanout.redis;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/** Jedis connection settings from a {@code redis://[user:password@]host:port[/db]} URI (RESP2, no protocol probing). */
final class RedisClients {
    private RedisClients() {}

    static HostAndPort address(URI uri) {
        return new HostAndPort(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379);
    }

    static JedisClientConfig config(URI uri, int socketTimeoutMs) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(5_000)
                .socketTimeoutMillis(socketTimeoutMs)
                .autoNegotiateProtocol(false)
                .ssl("rediss".equals(uri.getScheme()));
        String info = uri.getRawUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            String user = colon < 0 ? "" : decode(info.substring(0, colon));
            String password = decode(colon < 0 ? info : info.substring(colon + 1));
            if (!user.isEmpty()) b.user(user);
            b.password(password);
        }
        String path = uri.getPath();
        if (path != null && path.length() > 1) b.database(Integer.parseInt(path.substring(1)));
        return b.build();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
