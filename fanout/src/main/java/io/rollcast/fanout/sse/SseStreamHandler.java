package io.rollcast.fanout.sse;

import io.rollcast.fanout.session.Session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The handler of a connection once it streams SSE: passes writability changes and the close to its
 * session; a client sends nothing more on an event stream, so further input is discarded.
 */
public final class SseStreamHandler extends ChannelInboundHandlerAdapter {
    private final Session session;

    public SseStreamHandler(Session session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.onWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.close();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // connection reset and the like: the close listener cleans up
    }
}
