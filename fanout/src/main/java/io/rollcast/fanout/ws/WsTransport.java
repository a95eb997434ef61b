package io.rollcast.fanout.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.rollcast.fanout.session.Transport;
import java.nio.charset.StandardCharsets;

/**
 * WebSocket text messages carrying the SSE frames as JSON: {@code {"event":"delta","id":"...","data":{...}}},
 * and WebSocket pings.
 */
public final class WsTransport implements Transport {
    private static final byte[] END = "}".getBytes(StandardCharsets.US_ASCII);

    private final Channel channel;

    public WsTransport(Channel channel) {
        this.channel = channel;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public Object frame(String event, String id, byte[] json) {
        String head = "{\"event\":\"" + event + "\"" + (id == null ? "" : ",\"id\":\"" + id + "\"") + ",\"data\":";
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.UTF_8), json, END));
    }

    @Override
    public Object expired() {
        return new CloseWebSocketFrame(4001, "auth_expired: token expired");
    }

    @Override
    public Object ping() {
        return new PingWebSocketFrame();
    }

    @Override
    public String name() {
        return "ws";
    }
}
