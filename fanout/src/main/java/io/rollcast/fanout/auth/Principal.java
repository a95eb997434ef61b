package io.rollcast.fanout.auth;

import java.util.Set;

/**
 * Who a verified token speaks for: the tenant, the window specs it may read ({@code *} = all) and
 * when it expires (epoch ms).
 */
public record Principal(String tenant, Set<String> specs, long expiresAt) {
    public static final String ANY_SPEC = "*";

    public boolean mayRead(String spec) {
        return specs.contains(ANY_SPEC) || specs.contains(spec);
    }
}
