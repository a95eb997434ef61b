package io.rollcast.fanout.sse;

import io.netty.channel.ChannelHandlerContext;
import io.rollcast.fanout.session.Session;
import io.rollcast.fanout.session.StreamHandler;

/**
 * The handler of a connection once it streams SSE: starts the response (head, then the client's
 * reconnect delay); a client sends nothing more on an event stream, so further input is discarded.
 */
public final class SseStreamHandler extends StreamHandler<Object> {
    private final long retryMs;

    public SseStreamHandler(Session session, long retryMs) {
        super(Object.class, session);
        this.retryMs = retryMs;
    }

    @Override
    protected void opened(ChannelHandlerContext ctx) {
        ctx.write(SseTransport.head(), ctx.voidPromise());
        ctx.writeAndFlush(SseTransport.retry(retryMs), ctx.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        // discarded (and released)
    }
}
