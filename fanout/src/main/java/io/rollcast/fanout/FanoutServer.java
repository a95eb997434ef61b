package io.rollcast.fanout;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.rollcast.config.ConfigException;
import io.rollcast.fanout.auth.JwksKeys;
import io.rollcast.fanout.auth.TokenVerifier;
import io.rollcast.fanout.config.FanoutConfig;
import io.rollcast.fanout.http.ConnectionLimiter;
import io.rollcast.fanout.http.FanoutServices;
import io.rollcast.fanout.http.HttpHandler;
import io.rollcast.fanout.http.StaticFiles;
import io.rollcast.fanout.limits.TenantLimits;
import io.rollcast.fanout.metrics.Metrics;
import io.rollcast.fanout.range.RangeService;
import io.rollcast.fanout.redis.ChannelHub;
import io.rollcast.fanout.redis.RecoveryStreams;
import io.rollcast.fanout.session.Router;
import io.rollcast.fanout.session.Session;
import io.rollcast.fanout.snapshot.SnapshotService;
import io.rollcast.fanout.snapshot.Stores;
import io.rollcast.store.ColdStore;
import io.rollcast.store.RollupQuery;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The fan-out server: SSE and WebSocket streams of one tenant's window rows (snapshot, then live
 * deltas from Redis), snapshots, health, metrics and the dashboard, on Netty.
 *
 * <p>Netty because a connection is a channel on an event loop, not a thread: a few loops serve tens
 * of thousands of mostly idle streams, and channel writability gives per-client backpressure.
 */
public final class FanoutServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FanoutServer.class);

    private final FanoutServices services;
    private final RollupQuery store;
    private final RecoveryStreams streams;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;

    /** HS256 with {@code auth.secret} (if set) and RS256/ES256 with {@code auth.jwks} (if set). */
    static TokenVerifier verifier(FanoutConfig config, Clock clock) {
        JwksKeys jwks = config.jwks()
                .map(loc ->
                        JwksKeys.open(loc, config.jwksCaFile(), clock, config.jwksRefresh(), config.jwksMinRefetch()))
                .orElse(null);
        TokenVerifier.Rules rules = new TokenVerifier.Rules(
                config.issuer().orElse(null),
                config.audience().orElse(null),
                config.tenantClaim(),
                config.specsClaim(),
                config.clockSkew());
        return new TokenVerifier(config.authSecret(), jwks, rules, clock);
    }

    private FanoutServer(FanoutConfig config, RollupQuery store, Clock clock) {
        this.store = store;
        Metrics metrics = new Metrics();
        URI redis = URI.create(config.redisUri());
        this.streams = new RecoveryStreams(redis, config.snapshotThreads() + 1);
        SnapshotService snapshots = new SnapshotService(
                store,
                streams,
                metrics,
                config.snapshotThreads(),
                config.snapshotQueue(),
                config.tenantMaxSnapshots(),
                config.streamOverlap().toMillis(),
                config.streamTtl().toMillis(),
                config.maxReplay(),
                clock);
        long tick = Math.min(config.pingInterval().toMillis(), 1_000);
        Router router = new Router(tick, clock);
        ChannelHub hub = new ChannelHub(redis, router, metrics);
        Session.Services sessions = new Session.Services(
                hub,
                snapshots,
                router,
                metrics,
                config.maxPending(),
                config.maxStall().toMillis(),
                config.pingInterval().toMillis());
        int maxConnections = config.maxConnections() > 0 ? config.maxConnections() : ConnectionLimiter.fromFdLimit(512);
        this.services = new FanoutServices(
                config,
                clock,
                metrics,
                verifier(config, clock),
                new StaticFiles(),
                new ConnectionLimiter(maxConnections, metrics),
                new TenantLimits(config.tenantMaxStreams(), config.tenantConnectionsPerSecond(), clock),
                hub,
                router,
                snapshots,
                sessions,
                new RangeService(
                        store,
                        config.coldPath().isEmpty() ? null : new ColdStore(Path.of(config.coldPath())),
                        config.apiHotRetention(),
                        clock),
                new TenantLimits(0, config.apiRequestsPerSecond(), clock));
        boolean epoll = Epoll.isAvailable();
        int threads = config.ioThreads() == 0 ? Runtime.getRuntime().availableProcessors() : config.ioThreads();
        this.boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        this.workers = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
        try {
            hub.start(10_000);
            Class<? extends ServerChannel> channelClass =
                    epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            ServerBootstrap b = new ServerBootstrap();
            if (config.sendBuffer() > 0) b.childOption(ChannelOption.SO_SNDBUF, config.sendBuffer());
            b.group(boss, workers)
                    .channel(channelClass)
                    .option(ChannelOption.SO_BACKLOG, config.backlog())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(
                            ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(config.writeBufferLow(), config.writeBufferHigh()))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast("limit", services.limiter())
                                    .addLast("codec", new HttpServerCodec(4096, config.maxRequestBytes(), 8192))
                                    .addLast("aggregate", new HttpObjectAggregator(config.maxRequestBytes()))
                                    .addLast("http", new HttpHandler(services));
                        }
                    });
            this.serverChannel = b.bind(new InetSocketAddress(config.host(), config.port()))
                    .sync()
                    .channel();
        } catch (Exception e) {
            closeQuietly();
            throw new IllegalStateException(
                    "cannot start the fan-out server on " + config.host() + ":" + config.port() + ": " + e.getMessage(),
                    e);
        }
        LOG.info(
                "fan-out server on http://{}:{}/ ({} event loops, {}, at most {} connections), {}",
                config.host(),
                port(),
                threads,
                epoll ? "epoll" : "nio",
                maxConnections,
                config);
    }

    /** Starts a server with the store named by the config. */
    public static FanoutServer start(FanoutConfig config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * The same with another clock for token checks, query ranges, session ticks (expiry, hour rollover)
     * and snapshot bounds: a simulation runs days of a session's life in seconds (the Redis and store
     * reads keep real time).
     */
    public static FanoutServer start(FanoutConfig config, Clock clock) {
        return new FanoutServer(config, Stores.open(config), clock);
    }

    /** What each open session holds (channels, windows, event-id length); reads every event loop. */
    public java.util.List<Session.Footprint> footprints() {
        return services.router().footprints();
    }

    /** Redis channels subscribed by this process. */
    public int subscribedChannels() {
        return services.hub().channelCount();
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public FanoutConfig config() {
        return services.config();
    }

    public Metrics metrics() {
        return services.metrics();
    }

    /** Waits until the server channel closes. */
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().sync();
    }

    private void closeQuietly() {
        try {
            services.hub().close();
        } catch (RuntimeException ignored) {
            // shutting down anyway
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        services.snapshots().close();
        streams.close();
        store.close();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        closeQuietly();
    }

    /** Command line: {@code FanoutServer [--config file.yaml] [--set key=value]... [--print-config-table]}. */
    @CommandLine.Command(
            name = "fanout",
            mixinStandardHelpOptions = true,
            description = "Rollcast fan-out server: SSE/WebSocket streams of window rows, snapshot + deltas.")
    static final class Cli implements Callable<Integer> {
        @CommandLine.Option(names = "--config", description = "YAML config file.")
        Path config;

        @CommandLine.Option(names = "--set", description = "Override one key: key=value (repeatable).")
        Map<String, String> sets = new LinkedHashMap<>();

        @CommandLine.Option(names = "--print-config-table", description = "Print the config table (Markdown) and exit.")
        boolean table;

        @Override
        public Integer call() throws Exception {
            if (table) {
                System.out.print(FanoutConfig.table());
                return 0;
            }
            FanoutConfig cfg;
            try {
                cfg = FanoutConfig.load(config, System.getenv(), sets);
            } catch (ConfigException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
            FanoutServer server;
            try {
                server = FanoutServer.start(cfg);
            } catch (IllegalStateException e) {
                System.err.println("error: " + e.getMessage());
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "fanout-shutdown"));
            System.out.println("fan-out server listening on http://" + cfg.host() + ":" + server.port() + "/");
            server.awaitClose();
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }
}
