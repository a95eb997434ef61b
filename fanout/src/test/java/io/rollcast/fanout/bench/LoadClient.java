package io.rollcast.fanout.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One load-generating process of {@link FanoutBenchmark}: opens N SSE connections from one source
 * address at a given ramp rate, records the delivery latency of every delta (receive time minus the
 * message's {@code emitted_at}) in a 1 ms histogram, and answers commands on stdin
 * ({@code reset}, {@code report}, {@code exit}).
 */
public final class LoadClient {
    static final int BUCKETS = 20_000; // ms
    private static final byte[] EMITTED = "\"emitted_at\":".getBytes(StandardCharsets.US_ASCII);

    private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS + 1);
    private final LongAdder received = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final LongAdder snapshots = new LongAdder();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        String source = args[2];
        int ramp = Integer.parseInt(args[3]);
        String path = args[4];
        new LoadClient().run(port, count, source, ramp, path);
    }

    private void run(int port, int count, String source, int ramp, String path) throws Exception {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.SO_RCVBUF, 16 * 1024)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec()).addLast(new Handler());
                    }
                });
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = t0 + (long) i * 1_000_000_000L / ramp;
            long wait = due - System.nanoTime();
            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            b.connect(remote, new InetSocketAddress(source, 0)).addListener(f -> {
                if (!f.isSuccess()) {
                    failed.incrementAndGet();
                    return;
                }
                Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                open.incrementAndGet();
                ch.closeFuture().addListener(x -> open.decrementAndGet());
                DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                req.headers().set(HttpHeaderNames.HOST, "127.0.0.1").set(HttpHeaderNames.ACCEPT, "text/event-stream");
                ch.writeAndFlush(req);
            });
        }
        System.out.println("ramped " + count + " from " + source);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String cmd;
        while ((cmd = in.readLine()) != null) {
            switch (cmd.trim()) {
                case "status" ->
                    System.out.println("STATUS open=" + open.get() + " ok=" + ok.get() + " failed=" + failed.get()
                            + " snapshots=" + snapshots.sum());
                case "reset" -> {
                    for (int i = 0; i <= BUCKETS; i++) histogram.set(i, 0);
                    received.reset();
                    System.out.println("RESET");
                }
                case "report" -> {
                    StringBuilder sb =
                            new StringBuilder("REPORT open=" + open.get() + " received=" + received.sum() + " hist=");
                    for (int i = 0; i <= BUCKETS; i++) {
                        long n = histogram.get(i);
                        if (n > 0) sb.append(i).append(':').append(n).append(',');
                    }
                    System.out.println(sb);
                }
                case "exit" -> {
                    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                            .sync();
                    System.exit(0);
                }
                default -> System.out.println("?");
            }
            System.out.flush();
        }
        group.shutdownGracefully().sync();
    }

    /** Scans the event stream for {@code "emitted_at":<ms>} and {@code event: snapshot}. */
    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private long emitted = -1; // digits being parsed across buffers
        private int match;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                if (r.status().code() == 200) ok.incrementAndGet();
                else failed.incrementAndGet();
            }
            if (msg instanceof HttpContent c) scan(c.content());
        }

        private void scan(ByteBuf buf) {
            long now = System.currentTimeMillis();
            for (int i = buf.readerIndex(); i < buf.writerIndex(); i++) {
                byte b = buf.getByte(i);
                if (emitted >= 0) {
                    if (b >= '0' && b <= '9') {
                        emitted = emitted * 10 + (b - '0');
                        continue;
                    }
                    long lat = Math.max(0, now - emitted);
                    histogram.incrementAndGet((int) Math.min(lat, BUCKETS));
                    received.increment();
                    emitted = -1;
                }
                if (b == EMITTED[match]) {
                    if (++match == EMITTED.length) {
                        emitted = 0;
                        match = 0;
                    }
                } else {
                    match = b == EMITTED[0] ? 1 : 0;
                    if (b == 's'
                            && i + 7 < buf.writerIndex()
                            && buf.getByte(i + 1) == 'n'
                            && buf.getByte(i + 2) == 'a'
                            && buf.getByte(i + 3) == 'p'
                            && buf.getByte(i + 4) == 's'
                            && buf.getByte(i + 5) == 'h') {
                        snapshots.increment();
                    }
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
