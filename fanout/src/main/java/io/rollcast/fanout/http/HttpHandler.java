package io.rollcast.fanout.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.rollcast.fanout.auth.AuthException;
import io.rollcast.fanout.auth.Principal;
import io.rollcast.fanout.limits.TenantLimits;
import io.rollcast.fanout.range.RangeEncoding;
import io.rollcast.fanout.range.RangeService;
import io.rollcast.fanout.session.Cursor;
import io.rollcast.fanout.session.Session;
import io.rollcast.fanout.session.Transport;
import io.rollcast.fanout.snapshot.SnapshotEnvelope;
import io.rollcast.fanout.snapshot.StreamQuery;
import io.rollcast.fanout.sse.SseStreamHandler;
import io.rollcast.fanout.sse.SseTransport;
import io.rollcast.fanout.ws.WsFrameHandler;
import io.rollcast.fanout.ws.WsTransport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes HTTP requests: the dashboard files, {@code /healthz}, {@code /metrics}, {@code /v1/me},
 * {@code /v1/snapshot}, and the streams {@code /v1/stream} (SSE) and {@code /v1/ws} (WebSocket),
 * which replace this handler with their own once authorized.
 *
 * <p>Every refusal is a 4xx with a short JSON body ({@code error}, {@code message}) and no stack trace.
 */
public final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FanoutServices sv;

    public HttpHandler(FanoutServices sv) {
        this.sv = sv;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            sv.metrics().badRequests.increment();
            if (cause instanceof TooLongHttpHeaderException) {
                Responses.error(
                        ctx,
                        HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "too_large",
                        "request headers too large");
            } else if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException) {
                Responses.error(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "too_large", "request line too long");
            } else {
                Responses.error(ctx, HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request");
            }
            return;
        }
        QueryStringDecoder qs = new QueryStringDecoder(req.uri());
        String path = qs.path();
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            sv.metrics().badRequests.increment();
            Responses.error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "only GET");
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        try {
            switch (path) {
                case "/healthz" -> health(ctx, keepAlive);
                case "/metrics" ->
                    Responses.send(
                            ctx,
                            keepAlive,
                            HttpResponseStatus.OK,
                            "text/plain; version=0.0.4; charset=utf-8",
                            sv.metrics().render().getBytes(StandardCharsets.UTF_8));
                case "/v1/me" -> me(ctx, keepAlive, authorize(req, qs));
                case "/v1/snapshot" -> snapshot(ctx, keepAlive, req, qs);
                case "/v1/rollups" -> rollups(ctx, keepAlive, req, qs);
                case "/v1/openapi.yaml" -> {
                    StaticFiles.File f =
                            sv.statics().get("/static/openapi.yaml").orElseThrow();
                    Responses.send(ctx, keepAlive, HttpResponseStatus.OK, f.contentType(), f.bytes());
                }
                case "/v1/stream" -> stream(ctx, req, qs);
                case "/v1/ws" -> websocket(ctx, req, qs);
                default -> {
                    Optional<StaticFiles.File> f = sv.statics().get(path);
                    if (f.isPresent()) {
                        Responses.send(
                                ctx,
                                keepAlive,
                                HttpResponseStatus.OK,
                                f.get().contentType(),
                                f.get().bytes());
                    } else {
                        sv.metrics().badRequests.increment();
                        Responses.error(ctx, HttpResponseStatus.NOT_FOUND, "not_found", "no such path");
                    }
                }
            }
        } catch (AuthException e) {
            sv.metrics().authRefusals.increment();
            Responses.error(ctx, HttpResponseStatus.valueOf(e.status()), e.code(), e.getMessage());
        } catch (BadRequest e) {
            if (e.status() == 429) sv.metrics().tenantLimited.increment();
            else sv.metrics().badRequests.increment();
            Responses.error(
                    ctx, HttpResponseStatus.valueOf(e.status()), e.code(), e.getMessage(), e.retryAfterSeconds());
        }
    }

    /**
     * The verified principal of the request. A token from the cookie is an ambient credential (a browser
     * attaches it to cross-site requests and WebSocket upgrades too), so it is accepted only with no
     * Origin, the server's own, or one in {@code auth.allowed-origins}; else 403. A WebSocket upgrade is
     * checked so whatever carries its token: browsers do not apply the same-origin policy to WebSockets,
     * so the Origin check is the server's only say over which sites' pages open streams.
     */
    private Principal authorize(FullHttpRequest req, QueryStringDecoder qs) throws AuthException {
        Requests.Credential c = Requests.credential(req, qs, sv.config().authCookie());
        boolean upgrade = "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
        if ((c.fromCookie() || upgrade)
                && !Requests.originAllowed(
                        req.headers().get(HttpHeaderNames.ORIGIN),
                        req.headers().get(HttpHeaderNames.HOST),
                        sv.config().allowedOrigins())) {
            throw new AuthException(
                    403,
                    "forbidden",
                    c.fromCookie()
                            ? "origin not allowed for cookie authentication"
                            : "origin not allowed for WebSocket streams");
        }
        return sv.verifier().verify(c.token());
    }

    private StreamQuery query(FullHttpRequest req, QueryStringDecoder qs) throws AuthException, BadRequest {
        return query(qs, authorize(req, qs));
    }

    private StreamQuery query(QueryStringDecoder qs, Principal p) throws AuthException, BadRequest {
        return Requests.query(
                qs,
                p,
                sv.clock().millis(),
                sv.config().defaultRange(),
                sv.config().maxRange());
    }

    /** When a stream of {@code p} is ended: its token's expiry plus the clock skew the token was accepted with. */
    private long expiry(Principal p) {
        return p.expiresAt() + sv.config().clockSkew().toMillis();
    }

    private void health(ChannelHandlerContext ctx, boolean keepAlive) {
        boolean redis = sv.hub().connected();
        String body = "{\"status\":\"" + (redis ? "ok" : "degraded") + "\",\"redis\":" + redis + ",\"sessions\":"
                + sv.router().sessions() + "}";
        Responses.send(
                ctx,
                keepAlive,
                redis ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                "application/json",
                body.getBytes(StandardCharsets.UTF_8));
    }

    private void me(ChannelHandlerContext ctx, boolean keepAlive, Principal p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("tenant", p.tenant());
        ArrayNode specs = n.putArray("specs");
        p.specs().stream().sorted().forEach(specs::add);
        n.put("expires_at", p.expiresAt());
        // what a client may ask for: the dashboard's range picker offers ranges up to max_range_ms
        n.put("default_range_ms", sv.config().defaultRange().toMillis());
        n.put("max_range_ms", sv.config().maxRange().toMillis());
        // a fixed range that has ended is read from /v1/rollups, up to api.max-range
        n.put("api_max_range_ms", sv.config().apiMaxRange().toMillis());
        Responses.send(
                ctx,
                keepAlive,
                HttpResponseStatus.OK,
                "application/json",
                n.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void snapshot(ChannelHandlerContext ctx, boolean keepAlive, FullHttpRequest req, QueryStringDecoder qs)
            throws AuthException, BadRequest {
        StreamQuery q = query(req, qs);
        admit(q.tenant());
        List<String> channels = new ArrayList<>();
        long last = q.to().map(t -> t - 1).orElse(sv.clock().millis() + io.rollcast.model.Channels.HOUR_MS);
        for (long h : io.rollcast.model.Channels.hours(q.from(), Math.max(q.from(), last))) {
            channels.add(io.rollcast.model.Channels.channel(q.tenant(), q.spec(), h));
        }
        sv.snapshots()
                .submit(q.tenant(), () -> sv.snapshots().read(q, channels))
                .whenComplete((s, err) -> ctx.executor().execute(() -> {
                    if (err != null) {
                        readFailed(ctx, err, "snapshots", "snapshot failed");
                        return;
                    }
                    Responses.send(
                            ctx,
                            keepAlive,
                            HttpResponseStatus.OK,
                            "application/json",
                            SnapshotEnvelope.encode(q, s.rows(), null));
                }));
    }

    /**
     * {@code GET /v1/rollups}: a bounded, paged range of the token's tenant's windows from the hot store
     * and the cold files (docs/fanout.md "Range API", web/openapi.yaml). Checked in this order: token
     * (401/403), parameters (400), the tenant's request rate (429 + Retry-After), the read pool (503 full,
     * 429 when this tenant has its most reads in flight); read on the snapshot pool, fair between tenants.
     */
    private void rollups(ChannelHandlerContext ctx, boolean keepAlive, FullHttpRequest req, QueryStringDecoder qs)
            throws AuthException, BadRequest {
        Principal p = authorize(req, qs);
        boolean csv = RangeRequests.csv(qs, req.headers().get(HttpHeaderNames.ACCEPT));
        RangeService.Request q = RangeRequests.parse(qs, p, sv.config());
        try {
            sv.apiLimits().admit(p.tenant());
        } catch (TenantLimits.Limited e) {
            throw new BadRequest(
                    429,
                    "too_many_requests",
                    "too many range requests for this tenant (api.requests-per-second "
                            + sv.config().apiRequestsPerSecond() + ")",
                    e.retryAfterSeconds());
        }
        if (sv.snapshots().saturated()) throw new BadRequest(503, "unavailable", "too many reads in flight; retry", 1);
        if (sv.snapshots().saturated(p.tenant()))
            throw new BadRequest(429, "too_many_requests", "too many reads in flight for this tenant; retry", 1);
        sv.metrics().rangeRequests.increment();
        sv.snapshots()
                .submit(p.tenant(), () -> sv.ranges().read(q))
                .whenComplete((page, err) -> ctx.executor().execute(() -> {
                    if (err != null) {
                        readFailed(ctx, err, "range reads", "range read failed; retry");
                        return;
                    }
                    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
                    headers.put("Cache-Control", "private, no-cache");
                    headers.put("X-Rollcast-Sources", "hot=" + page.hotRows() + ", cold=" + page.coldRows());
                    if (page.next() != null)
                        headers.put("X-Next-Page-Token", page.next().encode());
                    if (csv) {
                        Responses.send(
                                ctx,
                                keepAlive,
                                HttpResponseStatus.OK,
                                "text/csv; charset=utf-8",
                                RangeEncoding.csv(page),
                                headers);
                    } else {
                        Responses.send(
                                ctx,
                                keepAlive,
                                HttpResponseStatus.OK,
                                "application/json",
                                RangeEncoding.json(q, page),
                                headers);
                    }
                }));
    }

    /**
     * Answers a read on the snapshot pool that did not complete: 429 when the tenant has its most reads
     * in flight, 503 when the pool is full or the read failed ({@code failed}, logged).
     */
    private void readFailed(ChannelHandlerContext ctx, Throwable err, String reads, String failed) {
        if (io.rollcast.fanout.snapshot.SnapshotService.tenantBusy(err)) {
            sv.metrics().tenantLimited.increment();
            Responses.error(
                    ctx,
                    HttpResponseStatus.TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "too many " + reads + " in flight for this tenant; retry",
                    1);
        } else if (io.rollcast.fanout.snapshot.SnapshotService.rejected(err)) {
            Responses.error(
                    ctx,
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "unavailable",
                    "too many " + reads + " in flight; retry",
                    1);
        } else {
            LOG.warn("{}: {}", failed, err.toString());
            Responses.error(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", failed, 1);
        }
    }

    /**
     * Admits a new stream or snapshot request of {@code tenant}: its connection rate, then the snapshot
     * pool (503 when full for everyone, 429 when this tenant has its most reads in flight).
     */
    private void admit(String tenant) throws BadRequest {
        try {
            sv.tenants().admit(tenant);
        } catch (TenantLimits.Limited e) {
            throw new BadRequest(429, "too_many_requests", e.getMessage(), e.retryAfterSeconds());
        }
        if (sv.snapshots().saturated())
            throw new BadRequest(503, "unavailable", "too many snapshots in flight; retry", 1);
        if (sv.snapshots().saturated(tenant))
            throw new BadRequest(429, "too_many_requests", "too many snapshots in flight for this tenant; retry", 1);
    }

    private Cursor lastEventId(String text) throws BadRequest {
        if (text == null || text.isEmpty()) return null;
        try {
            return Cursor.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "bad_request", "malformed last event id");
        }
    }

    /**
     * The session of an SSE or WebSocket stream request: verified token, query and last event id
     * ({@code lastEventId}, may be null), refused while the snapshot pool is full. Not started yet.
     */
    private Session session(FullHttpRequest req, QueryStringDecoder qs, String lastEventId, Transport transport)
            throws AuthException, BadRequest {
        Principal p = authorize(req, qs);
        StreamQuery q = query(qs, p);
        Cursor cursor = lastEventId(lastEventId);
        admit(q.tenant());
        Runnable release;
        try {
            release = sv.tenants().openStream(q.tenant());
        } catch (TenantLimits.Limited e) {
            throw new BadRequest(429, "too_many_requests", e.getMessage(), e.retryAfterSeconds());
        }
        transport.channel().closeFuture().addListener(f -> release.run()); // the slot is held while the connection is
        return new Session(sv.sessions(), transport, q, cursor, expiry(p));
    }

    private void stream(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder qs)
            throws AuthException, BadRequest {
        String last = req.headers().get("Last-Event-ID");
        if (last == null) last = Requests.param(qs.parameters(), "last_event_id");
        Session session = session(req, qs, last, new SseTransport(ctx.channel()));
        new SseStreamHandler(session, sv.config().sseRetry().toMillis())
                .begin(ctx, this, sv.clock().millis());
    }

    private void websocket(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder qs)
            throws AuthException, BadRequest {
        Session session =
                session(req, qs, Requests.param(qs.parameters(), "last_event_id"), new WsTransport(ctx.channel()));
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + "/v1/ws";
        WebSocketServerHandshakerFactory factory = new WebSocketServerHandshakerFactory(url, null, false, 65_536);
        WebSocketServerHandshaker handshaker = factory.newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        WsFrameHandler handler = new WsFrameHandler(session, handshaker);
        handshaker.handshake(ctx.channel(), req).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            handler.begin(ctx, this, sv.clock().millis());
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error: {}", cause.toString());
        ctx.close();
    }
}
