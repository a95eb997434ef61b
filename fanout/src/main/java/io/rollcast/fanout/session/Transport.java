package io.rollcast.fanout.session;

import io.netty.channel.Channel;

/** How a session's frames reach its client: SSE events or WebSocket text messages carrying the same JSON. */
public interface Transport {
    /** The client's connection. */
    Channel channel();

    /** A ready-to-write frame: event type, id (may be null) and the JSON payload bytes (shared, not copied). */
    Object frame(String event, String id, byte[] json);

    /**
     * The last frame before the server ends the stream because the token expired: SSE an {@code expired}
     * event {@code {"error":"auth_expired",...}}, WebSocket a close frame 4001 (application code: token expired).
     */
    Object expired();

    /** A keep-alive frame (SSE comment / WebSocket ping). */
    Object ping();

    /** Metric label: {@code sse} or {@code ws}. */
    String name();
}
