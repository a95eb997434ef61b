package io.rollcast.fanout.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.rollcast.fanout.session.Transport;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events over a chunked HTTP/1.1 response: {@code id:}, {@code event:} and one
 * {@code data:} line of JSON per frame, comment pings.
 *
 * <p>Event names and ids are fixed by the server and never contain a line break; the JSON payload is
 * compact (Jackson and the delta sink escape newlines inside strings), so a frame cannot inject
 * another event.
 */
public final class SseTransport implements Transport {
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXPIRED =
            "{\"error\":\"auth_expired\",\"message\":\"token expired; reconnect with a fresh token\"}"
                    .getBytes(StandardCharsets.US_ASCII);

    private final Channel channel;

    public SseTransport(Channel channel) {
        this.channel = channel;
    }

    /** The response head: {@code text/event-stream; charset=utf-8}, no caching, no proxy buffering, chunked. */
    public static HttpResponse head() {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("X-Accel-Buffering", "no")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        return r;
    }

    /** The first bytes: the client's reconnect delay. */
    public static Object retry(long ms) {
        return new DefaultHttpContent(
                Unpooled.wrappedBuffer(("retry: " + ms + "\n\n").getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public Object frame(String event, String id, byte[] json) {
        String head = (id == null ? "" : "id: " + id + "\n") + "event: " + event + "\ndata: ";
        ByteBuf buf = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.UTF_8), json, END);
        return new DefaultHttpContent(buf);
    }

    @Override
    public Object expired() {
        return frame("expired", null, EXPIRED);
    }

    @Override
    public Object ping() {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(PING));
    }

    @Override
    public String name() {
        return "sse";
    }
}
