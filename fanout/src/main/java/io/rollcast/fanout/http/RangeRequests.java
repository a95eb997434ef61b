package io.rollcast.fanout.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.rollcast.fanout.auth.AuthException;
import io.rollcast.fanout.auth.Principal;
import io.rollcast.fanout.config.FanoutConfig;
import io.rollcast.fanout.range.RangeService;
import io.rollcast.model.Names;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses and checks a {@code GET /v1/rollups} request: 400 with what is wrong, 403 for another tenant or spec. */
public final class RangeRequests {
    /** The newest instant accepted (year 3000), as in the stream requests. */
    static final long MAX_MS = 32_503_680_000_000L;

    private RangeRequests() {}

    /** Whether the request asks for CSV ({@code format=csv} or {@code Accept: text/csv}). */
    public static boolean csv(QueryStringDecoder qs, String accept) throws BadRequest {
        String format = Requests.param(qs.parameters(), "format");
        if (format == null || format.isEmpty()) return accept != null && accept.contains("text/csv");
        return switch (format) {
            case "json" -> false;
            case "csv" -> true;
            default -> throw new BadRequest(400, "bad_request", "format must be json or csv");
        };
    }

    public static RangeService.Request parse(QueryStringDecoder qs, Principal p, FanoutConfig c)
            throws BadRequest, AuthException {
        Map<String, List<String>> params = qs.parameters();
        for (var e : params.entrySet()) {
            if (e.getValue().size() > 1 && !e.getKey().equals("access_token"))
                throw new BadRequest(400, "bad_request", e.getKey() + " is given more than once");
        }
        String tenant = Requests.param(params, "tenant");
        if (tenant != null && !tenant.equals(p.tenant()))
            throw new AuthException(
                    403, "forbidden", "the token is not for tenant " + (Names.isName(tenant) ? tenant : "given"));
        String spec = Requests.param(params, "spec");
        if (spec == null || spec.isEmpty()) throw new BadRequest(400, "bad_request", "spec is required");
        if (!Names.isName(spec)) throw new BadRequest(400, "bad_request", "spec must match " + Names.RULE);
        if (!p.mayRead(spec)) throw new AuthException(403, "forbidden", "the token does not allow spec " + spec);
        String type = Requests.param(params, "event_type");
        if (type != null && type.isEmpty()) type = null;
        if (type != null && !Names.isName(type))
            throw new BadRequest(400, "bad_request", "event_type must match " + Names.RULE);
        Long from = instant(Requests.param(params, "from"), "from");
        Long to = instant(Requests.param(params, "to"), "to");
        if (from == null) throw new BadRequest(400, "bad_request", "from is required");
        if (to == null) throw new BadRequest(400, "bad_request", "to is required");
        if (to <= from) throw new BadRequest(400, "bad_request", "to must be after from");
        if (to - from > c.apiMaxRange().toMillis())
            throw new BadRequest(
                    400,
                    "bad_request",
                    "range longer than api.max-range (" + c.apiMaxRange().toHours() + "h)");
        int limit = c.apiPageSize();
        String l = Requests.param(params, "limit");
        if (l != null && !l.isEmpty()) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > c.apiMaxPageSize())
                throw new BadRequest(400, "bad_request", "limit must be an integer from 1 to " + c.apiMaxPageSize());
        }
        RangeService.Cursor cursor = null;
        String token = Requests.param(params, "page_token");
        if (token != null && !token.isEmpty()) {
            try {
                cursor = RangeService.Cursor.decode(token);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(400, "bad_request", "malformed page_token");
            }
            if (cursor.windowStart() < from || cursor.windowStart() >= to)
                throw new BadRequest(400, "bad_request", "page_token is not of this range");
        }
        return new RangeService.Request(p.tenant(), spec, Optional.ofNullable(type), from, to, limit, cursor);
    }

    /** Epoch milliseconds or an RFC 3339 time ({@code 2026-12-01T00:00:00Z}); null if absent. */
    static Long instant(String v, String name) throws BadRequest {
        if (v == null || v.isEmpty()) return null;
        long ms;
        try {
            ms = v.chars().allMatch(Character::isDigit) && v.length() <= 15
                    ? Long.parseLong(v)
                    : OffsetDateTime.parse(v).toInstant().toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new BadRequest(
                    400, "bad_request", name + " must be epoch milliseconds or an RFC 3339 time with an offset");
        }
        if (ms < 0 || ms > MAX_MS) throw new BadRequest(400, "bad_request", name + " is out of range");
        return ms;
    }
}
