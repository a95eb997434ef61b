package io.rollcast.fanout.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.rollcast.fanout.auth.AuthException;
import io.rollcast.fanout.auth.Principal;
import io.rollcast.fanout.snapshot.StreamQuery;
import io.rollcast.model.Names;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a streaming request: the token (header, cookie or {@code access_token}) and the query
 * ({@code spec}, {@code event_type}, {@code from}, {@code to}, an optional {@code tenant} that must be
 * the token's).
 */
public final class Requests {

    private Requests() {}

    /** A request's token (null if none) and whether it came from the cookie, an ambient credential a browser sends cross-site too. */
    public record Credential(String token, boolean fromCookie) {}

    /**
     * The request's token: from {@code Authorization: Bearer} or {@code access_token} (explicit), else
     * from the cookie (ambient); null if none. Different explicit tokens (header and query, or one of
     * them twice) are refused with 400 {@code invalid_request} (RFC 6750 2: one method per request), as
     * are different cookie tokens, so a request never stands for two identities. An explicit token wins
     * over the cookie: a browser never adds it on its own, and a stale cookie must not break a page that
     * passes a fresh token.
     */
    public static Credential credential(HttpRequest req, QueryStringDecoder qs, String cookieName)
            throws AuthException {
        java.util.Set<String> explicit = new java.util.LinkedHashSet<>();
        for (String auth : req.headers().getAll(HttpHeaderNames.AUTHORIZATION)) {
            if (auth.regionMatches(true, 0, "Bearer ", 0, 7))
                explicit.add(auth.substring(7).trim());
        }
        List<String> query = qs.parameters().get("access_token");
        if (query != null) for (String t : query) explicit.add(t.trim());
        if (explicit.size() > 1) throw conflict();
        if (explicit.size() == 1) return new Credential(explicit.iterator().next(), false);
        java.util.Set<String> cookies = new java.util.LinkedHashSet<>();
        for (String header : req.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
                if (c.name().equals(cookieName)) cookies.add(c.value().trim());
            }
        }
        if (cookies.size() > 1) throw conflict();
        return new Credential(cookies.isEmpty() ? null : cookies.iterator().next(), !cookies.isEmpty());
    }

    private static AuthException conflict() {
        return new AuthException(400, "invalid_request", "conflicting tokens: send one (header, query or cookie)");
    }

    /**
     * Whether a request with {@code Origin: origin} may use a cookie token: no Origin (not a browser,
     * or a same-origin GET, for which browsers send none), the server's own origin (scheme http or
     * https, host and port as in the {@code Host} header), or an origin in {@code allowed}
     * ({@code scheme://host[:port]}, lower case). {@code Origin: null} and anything unparsable are refused.
     */
    public static boolean originAllowed(String origin, String host, List<String> allowed) {
        if (origin == null) return true;
        String o = origin.trim().toLowerCase(java.util.Locale.ROOT);
        if (allowed.contains(o)) return true;
        if (host == null || host.isEmpty()) return false;
        java.net.URI uri;
        try {
            uri = new java.net.URI(o);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) return false;
        if (uri.getHost() == null
                || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) return false;
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) return false;
        String h = host.trim().toLowerCase(java.util.Locale.ROOT);
        String authority = uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
        if (h.equals(authority)) return true;
        int defaultPort = scheme.equals("https") ? 443 : 80;
        return uri.getPort() == -1
                ? h.equals(authority + ":" + defaultPort)
                : uri.getPort() == defaultPort && h.equals(uri.getHost());
    }

    static String param(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The query of a stream or snapshot request for {@code p}; 400 on bad parameters, 403 on another tenant or spec. */
    public static StreamQuery query(
            QueryStringDecoder qs, Principal p, long now, Duration defaultRange, Duration maxRange)
            throws BadRequest, AuthException {
        Map<String, List<String>> params = qs.parameters();
        String tenant = param(params, "tenant");
        if (tenant != null && !tenant.equals(p.tenant())) {
            throw new AuthException(
                    403, "forbidden", "the token is not for tenant " + (Names.isName(tenant) ? tenant : "given"));
        }
        String spec = param(params, "spec");
        if (spec == null || spec.isEmpty()) throw new BadRequest(400, "bad_request", "spec is required");
        if (!Names.isName(spec)) throw new BadRequest(400, "bad_request", "spec must match " + Names.RULE);
        if (!p.mayRead(spec)) throw new AuthException(403, "forbidden", "the token does not allow spec " + spec);
        String type = param(params, "event_type");
        if (type != null && type.isEmpty()) type = null;
        if (type != null && !Names.isName(type))
            throw new BadRequest(400, "bad_request", "event_type must match " + Names.RULE);
        Long to = epochMs(param(params, "to"), "to");
        Long from = epochMs(param(params, "from"), "from");
        if (from == null) from = (to == null ? now : to) - defaultRange.toMillis();
        if (to != null && to <= from) throw new BadRequest(400, "bad_request", "to must be after from");
        if (to == null && now - from > maxRange.toMillis()) {
            from = now - maxRange.toMillis(); // a live range is clamped, so a reconnect with an old from still works
        } else if ((to == null ? now : to) - from > maxRange.toMillis()) {
            throw new BadRequest(400, "bad_request", "range longer than " + maxRange.toHours() + "h");
        }
        return new StreamQuery(p.tenant(), spec, Optional.ofNullable(type), from, Optional.ofNullable(to));
    }

    private static Long epochMs(String v, String name) throws BadRequest {
        if (v == null || v.isEmpty()) return null;
        try {
            long ms = Long.parseLong(v);
            if (ms < 0 || ms > 32_503_680_000_000L) throw new NumberFormatException();
            return ms;
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "bad_request", name + " must be epoch milliseconds");
        }
    }
}
