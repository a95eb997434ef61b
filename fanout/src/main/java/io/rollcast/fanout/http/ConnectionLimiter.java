package io.rollcast.fanout.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.rollcast.fanout.metrics.Metrics;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes a new connection at once when {@code max} are open, so the process keeps file descriptors
 * for what it must open later (the Redis pub/sub reconnect, store connections, jars and time-zone
 * data loaded lazily). Without it, a server at its open-file limit cannot even load a class.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final int max;
    private final Metrics metrics;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionLimiter(int max, Metrics metrics) {
        this.max = max;
        this.metrics = metrics;
    }

    /** The process's open-file limit minus {@code reserve} (at least 64); 100 000 where the limit is unknown. */
    public static int fromFdLimit(int reserve) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return (int) Math.max(64, Math.min(Integer.MAX_VALUE, unix.getMaxFileDescriptorCount() - reserve));
        }
        return 100_000;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            metrics.refusedConnections.increment();
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }
}
