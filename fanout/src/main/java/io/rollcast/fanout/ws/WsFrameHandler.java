package io.rollcast.fanout.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.rollcast.fanout.session.Session;
import io.rollcast.fanout.session.StreamHandler;

/**
 * The handler of an upgraded WebSocket connection: answers pings, honours close and ignores client
 * text (the stream is one-way).
 */
public final class WsFrameHandler extends StreamHandler<WebSocketFrame> {
    private final WebSocketServerHandshaker handshaker;

    public WsFrameHandler(Session session, WebSocketServerHandshaker handshaker) {
        super(WebSocketFrame.class, session);
        this.handshaker = handshaker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            handshaker.close(ctx.channel(), close.retain());
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
        }
    }
}
