package io.rollcast.fanout.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Complete (non-streaming) HTTP responses: bytes with a content type, and short JSON errors. */
public final class Responses {
    private Responses() {}

    /** Writes a full response; closes the connection unless keep-alive was asked for. */
    public static void send(
            ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String contentType, byte[] body) {
        send(ctx, keepAlive, status, contentType, body, java.util.Map.of());
    }

    /** The same with more headers. */
    public static void send(
            ChannelHandlerContext ctx,
            boolean keepAlive,
            HttpResponseStatus status,
            String contentType,
            byte[] body,
            java.util.Map<String, String> headers) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set("X-Content-Type-Options", "nosniff");
        headers.forEach((k, v) -> r.headers().set(k, v));
        HttpUtil.setKeepAlive(r, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(r, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** {@code {"error":"<code>","message":"<message>"}} with {@code status}; refusals close the connection. */
    public static void error(ChannelHandlerContext ctx, HttpResponseStatus status, String code, String message) {
        error(ctx, status, code, message, 0);
    }

    /** The same with {@code Retry-After: retryAfterSeconds} when that is positive (429, 503). */
    public static void error(
            ChannelHandlerContext ctx, HttpResponseStatus status, String code, String message, int retryAfterSeconds) {
        String json = "{\"error\":\"" + escape(code) + "\",\"message\":\"" + escape(message) + "\"}";
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (status.code() == 401) r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        if (retryAfterSeconds > 0) r.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        HttpUtil.setKeepAlive(r, false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(' ');
            else sb.append(c);
        }
        return sb.toString();
    }
}
