package io.rollcast.fanout.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

/**
 * The reference of the fan-out benchmark: a bare Netty SSE broadcast server on the same transport
 * (epoll, chunked SSE on HTTP/1.1, TCP_NODELAY, one loop per core), fed by the same Redis channels,
 * doing nothing per client but write: every message is framed once and written to every open stream
 * ({@link ChannelGroup}). No auth, snapshots, positions, versions or event ids. It answers the
 * benchmark's {@code /healthz} and {@code /metrics} lines so the same driver measures both.
 *
 * <p>Usage: {@code BareBroadcastServer <port> <redis uri>}.
 */
public final class BareBroadcastServer {
    private static final byte[] HELLO =
            "retry: 2000\n\nevent: snapshot\ndata: {\"rows\":[]}\n\n".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        URI redis = URI.create(args[1]);
        ChannelGroup streams = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        EventLoopGroup boss = new EpollEventLoopGroup(1);
        EventLoopGroup workers = new EpollEventLoopGroup(Runtime.getRuntime().availableProcessors());
        new ServerBootstrap()
                .group(boss, workers)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 16_384)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(8192))
                                .addLast(new Handler(streams));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port))
                .sync();
        Thread sub = new Thread(
                () -> {
                    try (Jedis j = new Jedis(redis)) {
                        j.psubscribe(
                                new BinaryJedisPubSub() {
                                    @Override
                                    public void onPMessage(byte[] pattern, byte[] channel, byte[] message) {
                                        ByteBuf frame = Unpooled.wrappedBuffer(
                                                "event: delta\ndata: ".getBytes(StandardCharsets.US_ASCII),
                                                message,
                                                "\n\n".getBytes(StandardCharsets.US_ASCII));
                                        streams.writeAndFlush(new DefaultHttpContent(frame));
                                    }
                                },
                                "rollcast:*".getBytes(StandardCharsets.US_ASCII));
                    }
                },
                "redis-subscriber");
        sub.start();
        System.out.println("bare broadcast server on port " + port);
        sub.join();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ChannelGroup streams;

        Handler(ChannelGroup streams) {
            this.streams = streams;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri().split("\\?")[0];
            if (path.equals("/v1/stream")) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                HttpUtil.setTransferEncodingChunked(head, true);
                ctx.write(head);
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(HELLO)));
                streams.add(ctx.channel());
                return;
            }
            String body = path.equals("/healthz")
                    ? "{\"status\":\"ok\"}"
                    : "rollcast_fanout_connections{transport=\"sse\"} " + streams.size() + "\n"
                            + "rollcast_fanout_refused_connections_total 0\n"
                            + "jvm_memory_heap_used_bytes "
                            + ManagementFactory.getMemoryMXBean()
                                    .getHeapMemoryUsage()
                                    .getUsed() + "\n"
                            + "jvm_memory_direct_used_bytes 0\n";
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            ctx.writeAndFlush(r);
        }
    }
}
