package io.rollcast.fanout.http;

import io.rollcast.fanout.auth.TokenVerifier;
import io.rollcast.fanout.config.FanoutConfig;
import io.rollcast.fanout.limits.TenantLimits;
import io.rollcast.fanout.metrics.Metrics;
import io.rollcast.fanout.redis.ChannelHub;
import io.rollcast.fanout.session.Router;
import io.rollcast.fanout.session.Session;
import io.rollcast.fanout.snapshot.SnapshotService;
import java.time.Clock;

/**
 * Everything the connection handlers use, built once by the server and handed down: the handlers
 * never see the server, so the server depends on them and not the other way round.
 *
 * @param clock the time of requests (query ranges, token expiry)
 * @param statics the dashboard files
 * @param limiter the connection limit, first in every pipeline
 * @param tenants the per-tenant limits on streams and new connections
 * @param sessions what each streaming session needs
 * @param ranges the rows of {@code /v1/rollups} (hot store and cold files)
 * @param apiLimits the per-tenant request rate of {@code /v1/rollups}
 */
public record FanoutServices(
        FanoutConfig config,
        Clock clock,
        Metrics metrics,
        TokenVerifier verifier,
        StaticFiles statics,
        ConnectionLimiter limiter,
        TenantLimits tenants,
        ChannelHub hub,
        Router router,
        SnapshotService snapshots,
        Session.Services sessions,
        io.rollcast.fanout.range.RangeService ranges,
        TenantLimits apiLimits) {}
