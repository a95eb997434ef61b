package io.rollcast.fanout.session;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

/**
 * The handler of a connection once it streams, SSE or WebSocket: it takes the HTTP handler's place,
 * starts its session (subscribe, then snapshot), passes writability changes to it and ends it when the
 * connection closes. Subclasses read what the client sends (released after {@link #channelRead0}) and
 * write what the stream starts with.
 */
public abstract class StreamHandler<I> extends SimpleChannelInboundHandler<I> {
    protected final Session session;

    protected StreamHandler(Class<? extends I> inbound, Session session) {
        super(inbound);
        this.session = session;
    }

    /**
     * Replaces {@code current} (the HTTP handler of {@code ctx}) with this one, named by the transport,
     * writes the stream's first bytes and starts the session. On the connection's loop.
     */
    public final void begin(ChannelHandlerContext ctx, ChannelHandler current, long now) {
        ctx.pipeline().replace(current, session.transport(), this);
        opened(ctx);
        session.start(now);
    }

    /** Writes what the stream starts with, before any frame of the session (through the replaced handler's {@code ctx}). */
    protected void opened(ChannelHandlerContext ctx) {}

    @Override
    public final void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.onWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) {
        session.close();
        ctx.fireChannelInactive();
    }

    @Override
    public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // connection reset and the like: the close listener cleans up
    }
}
