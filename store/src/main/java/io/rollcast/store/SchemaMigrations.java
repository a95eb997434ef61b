package io.rollcast.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.model.Identifiers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Applies the numbered schema migrations {@code sql/<store>/V<n>__<description>.sql} from the
 * classpath to a store, each once, recording them in a history table of that store.
 *
 * <p>Idempotent and safe to run at every job start: applied versions are skipped (and must not have
 * changed: their checksum is compared), the DDL itself uses {@code IF NOT EXISTS}. On Postgres the
 * whole run is one transaction under an advisory lock, so concurrent runs serialize; ClickHouse has
 * no transactions, so there every statement must be idempotent on its own.
 */
public final class SchemaMigrations {
    /** History table name in both stores. */
    public static final String HISTORY = "rollcast_schema_history";

    private static final Pattern NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");
    private static final Pattern DOLLAR_TAG = Pattern.compile("\\$[A-Za-z_]*\\$");
    private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(60);
    private static final long ADVISORY_LOCK = 0x726f6c6c63617374L; // "rollcast"

    /** One migration script. */
    public record Migration(int version, String description, String sql, String checksum) {
        public String label() {
            return String.format("V%03d__%s", version, description);
        }
    }

    private SchemaMigrations() {}

    /** The migrations of {@code store} ("postgres" or "clickhouse") on the classpath, by version. */
    public static List<Migration> load(String store) {
        String dir = "sql/" + store + "/";
        Map<String, String> files = new LinkedHashMap<>();
        try {
            URL url = SchemaMigrations.class.getClassLoader().getResource(dir);
            if (url == null) {
                // a jar built without directory entries: list the jar this class came from
                URL self = SchemaMigrations.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation();
                if (self == null || !self.getPath().endsWith(".jar")) {
                    throw new IllegalStateException("no schema migrations on the classpath under " + dir);
                }
                url = new URL("jar:" + self + "!/" + dir);
            }
            if (url.getProtocol().equals("jar")) {
                JarURLConnection jar = (JarURLConnection) url.openConnection();
                jar.setUseCaches(false);
                try (var jf = jar.getJarFile()) {
                    for (var e : java.util.Collections.list(jf.entries())) {
                        String n = e.getName();
                        if (n.startsWith(dir) && n.indexOf('/', dir.length()) < 0 && n.endsWith(".sql")) {
                            try (InputStream in = jf.getInputStream(e)) {
                                files.put(
                                        n.substring(dir.length()),
                                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
                            }
                        }
                    }
                }
            } else {
                try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
                    for (Path p : s.filter(p -> p.toString().endsWith(".sql")).toList()) {
                        files.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema migrations under " + dir, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Migration> out = new ArrayList<>();
        files.forEach((name, sql) -> {
            Matcher m = NAME.matcher(name);
            if (!m.matches())
                throw new IllegalStateException(
                        "schema migration " + dir + name + " is not named V<n>__<description>.sql");
            out.add(new Migration(Integer.parseInt(m.group(1)), m.group(2), sql, sha256(sql)));
        });
        out.sort(Comparator.comparingInt(Migration::version));
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).version() == out.get(i - 1).version()) {
                throw new IllegalStateException(
                        "two schema migrations with version " + out.get(i).version() + " under " + dir);
            }
        }
        return out;
    }

    /**
     * Brings the Postgres rollup table {@code table} up to date; returns the labels of the
     * migrations applied now (empty when it already was).
     */
    public static List<String> applyPostgres(String url, String user, String password, String table) {
        Identifiers.require("Postgres table", table);
        Properties props = new Properties();
        if (user != null && !user.isEmpty()) props.setProperty("user", user);
        if (password != null && !password.isEmpty()) props.setProperty("password", password);
        List<String> applied = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, props)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK + ")");
                st.execute("CREATE TABLE IF NOT EXISTS " + HISTORY + " (target text NOT NULL, version integer NOT NULL,"
                        + " description text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
                        + " PRIMARY KEY (target, version))");
            }
            Map<Integer, String> done = new LinkedHashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT version, checksum FROM " + HISTORY + " WHERE target = ?")) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) done.put(rs.getInt(1), rs.getString(2));
                }
            }
            for (Migration m : load("postgres")) {
                if (checkApplied(m, done.get(m.version()), "Postgres table " + table)) continue;
                try (Statement st = c.createStatement()) {
                    for (String sql : statements(m.sql().replace("${table}", table))) st.execute(sql);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO " + HISTORY + " (target, version, description, checksum) VALUES (?, ?, ?, ?)")) {
                    ps.setString(1, table);
                    ps.setInt(2, m.version());
                    ps.setString(3, m.description());
                    ps.setString(4, m.checksum());
                    ps.executeUpdate();
                }
                applied.add(m.label());
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot migrate the Postgres schema at " + url + ": " + e.getMessage(), e);
        }
        return applied;
    }

    /**
     * Brings {@code <database>.rollups} up to date (creating the database if needed); returns the
     * labels of the migrations applied now.
     */
    public static List<String> applyClickHouse(ClickHouseEndpoint endpoint) {
        ClickHouseHttp http = new ClickHouseHttp(endpoint);
        String target = RollupTable.NAME_IN_CLICKHOUSE;
        List<String> applied = new ArrayList<>();
        // the database must exist before a request may name it as its default
        send(() -> http.executeWithoutDatabase("CREATE DATABASE IF NOT EXISTS " + endpoint.database(), TIMEOUT));
        send(() -> http.execute(
                "CREATE TABLE IF NOT EXISTS " + HISTORY + " (target String, version UInt32, description String,"
                        + " checksum String, applied_at DateTime) ENGINE = MergeTree ORDER BY (target, version)",
                "",
                TIMEOUT));
        Map<Integer, String> done = new LinkedHashMap<>();
        String rows = send(() -> http.execute(
                "SELECT version, any(checksum) FROM " + HISTORY + " WHERE target = '" + target
                        + "' GROUP BY version FORMAT TabSeparated",
                "",
                TIMEOUT));
        rows.lines().filter(l -> !l.isBlank()).forEach(l -> {
            String[] f = l.split("\t");
            done.put(Integer.parseInt(f[0]), f[1]);
        });
        ObjectMapper json = new ObjectMapper();
        for (Migration m : load("clickhouse")) {
            if (checkApplied(m, done.get(m.version()), "ClickHouse table " + endpoint.table())) continue;
            for (String sql : statements(m.sql())) send(() -> executeAddColumnOnce(http, sql));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("target", target);
            row.put("version", m.version());
            row.put("description", m.description());
            row.put("checksum", m.checksum());
            row.put("applied_at", System.currentTimeMillis() / 1000);
            String line;
            try {
                line = json.writeValueAsString(row) + "\n";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            send(() -> http.execute("INSERT INTO " + HISTORY + " FORMAT JSONEachRow", line, TIMEOUT));
            applied.add(m.label());
        }
        return applied;
    }

    private static boolean checkApplied(Migration m, String checksum, String where) {
        if (checksum == null) return false;
        if (!checksum.equals(m.checksum())) {
            throw new IllegalStateException(
                    "schema migration " + m.label() + " was changed after it was applied to " + where + " (checksum "
                            + checksum + " recorded, " + m.checksum() + " now); add a new migration instead");
        }
        return true;
    }

    private static final Pattern ADD_COLUMN = Pattern.compile("(?is)\\s*ALTER\\s+TABLE\\s+\\S+\\s+ADD\\s+COLUMN\\s.*");

    /**
     * Runs a ClickHouse statement; an {@code ALTER TABLE ... ADD COLUMN} of a column that exists
     * already (code 44, a rerun after a partial run: 18.16 has no {@code IF NOT EXISTS} there) is done.
     */
    private static String executeAddColumnOnce(ClickHouseHttp http, String sql) {
        try {
            return http.execute(sql, "", TIMEOUT);
        } catch (IllegalStateException e) {
            String m = String.valueOf(e.getMessage());
            if (ADD_COLUMN.matcher(sql).matches() && m.contains("Code: 44") && m.contains("already exists")) return "";
            throw e;
        }
    }

    private static String send(java.util.function.Supplier<String> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot migrate the ClickHouse schema: " + e.getMessage(), e);
        }
    }

    /** The statements of a script: split at semicolons outside quotes, without comments. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < script.length(); i++) {
            char ch = script.charAt(i);
            if (!quoted && ch == '$') {
                // a dollar-quoted body ($$ ... $$ or $tag$ ... $tag$, Postgres functions and DO blocks): one piece
                Matcher tag = DOLLAR_TAG.matcher(script).region(i, script.length());
                if (tag.lookingAt()) {
                    int end = script.indexOf(tag.group(), tag.end());
                    if (end < 0) throw new IllegalArgumentException("unterminated " + tag.group() + " quote");
                    cur.append(script, i, end + tag.group().length());
                    i = end + tag.group().length() - 1;
                    continue;
                }
            }
            if (!quoted && ch == '-' && i + 1 < script.length() && script.charAt(i + 1) == '-') {
                while (i < script.length() && script.charAt(i) != '\n') i++;
                cur.append('\n');
                continue;
            }
            if (ch == '\'') quoted = !quoted;
            if (!quoted && ch == ';') {
                if (!cur.toString().isBlank()) out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
