package io.rollcast.store;

import io.rollcast.model.Identifiers;
import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a ClickHouse server is and who we are there: HTTP URL (no query string, ends with
 * {@code /}), database (an identifier) and optional credentials. The rollup table is
 * {@code <database>.rollups}. {@link #toString()} leaves the password out.
 */
public record ClickHouseEndpoint(String url, String database, String user, String password) implements Serializable {

    public ClickHouseEndpoint {
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new IllegalArgumentException(
                    "ClickHouse URL must start with http:// or https:// but is '" + url + "'");
        }
        URI.create(url); // fails on a malformed URL
        if (url.contains("?"))
            throw new IllegalArgumentException("ClickHouse URL must not carry a query string: " + url);
        if (!url.endsWith("/")) url = url + "/";
        Identifiers.require("ClickHouse database", database);
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /** The table the sink writes and the queries read, {@code <database>.rollups}. */
    public String table() {
        return database + "." + RollupTable.NAME_IN_CLICKHOUSE;
    }

    /**
     * {@code <url>?compress=0&database=..&query=<sql>}: uncompressed responses (18.16 answers
     * ClickHouse-compressed requests with empty bodies), SQL in the query string, data in the body.
     */
    public URI uri(String sql) {
        return URI.create(
                url + "?compress=0&database=" + database + "&query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
    }

    /** The URI for a request whose body is the SQL. */
    public URI uri() {
        return URI.create(url + "?compress=0&database=" + database);
    }

    /** The {@code Authorization: Basic ...} value, when a user is configured. */
    public Optional<String> authorization() {
        if (user.isEmpty()) return Optional.empty();
        return Optional.of("Basic "
                + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "ClickHouseEndpoint[url=" + url + ", database=" + database + ", user=" + user + "]";
    }
}
