package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.fanout.SseClient;
import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.model.Event;
import io.rollcast.model.Kind;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import io.rollcast.sinks.StoreRows;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yaml for real: the job and fan-out images built from docker/ (on the local stand-in
 * bases of docker/local/base.sh, as no registry is reachable here), every service but the live
 * generator started by docker-compose in health order, generated events produced to the Kafka
 * container, and then: the window rows in the Postgres and the ClickHouse containers equal an oracle
 * computed here from the same events; an SSE client holding a token minted by TokenCli inside the
 * fan-out container gets a snapshot, then deltas, and ends with the store's rows; and
 * {@code docker-compose down -v} leaves no container, network or volume behind.
 */
class ComposeStackIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path COMPOSE = Repo.path("docker/compose.yaml");
    private static final String PROJECT =
            "rollcast-it-" + ProcessHandle.current().pid();
    private static final List<String> SERVICES =
            List.of("kafka", "topic-init", "jobmanager", "taskmanager", "postgres", "clickhouse", "redis", "fanout");
    private static final String TENANT = "tenant-0000";
    private static final String SPEC = "tumbling-1m";
    private static final String FLUSH_TENANT = "zz-flush";
    private static final long START = 1_767_225_600_000L; // 2026-01-01, far behind the wall clock
    private static final long EVENTS = 6_000;

    private static final Map<String, String> env = new LinkedHashMap<>();
    private static boolean engineStartedHere;
    private static boolean down;
    private static int kafkaPort, flinkPort, pgPort, chPort, fanoutPort;
    private static Set<String> volumesBefore;

    record Result(int exitCode, String output) {}

    @BeforeAll
    static void engineAndImages() throws Exception {
        long t0 = System.nanoTime();
        engineStartedHere =
                run(Duration.ofSeconds(10), "docker/local/engine.sh", "status").exitCode() != 0;
        Result up = run(Duration.ofSeconds(90), "docker/local/engine.sh", "up");
        assertThat(up.exitCode())
                .as("docker/local/engine.sh up:\n%s", up.output())
                .isZero();
        env.put(
                "DOCKER_HOST",
                up.output()
                        .lines()
                        .filter(l -> l.startsWith("DOCKER_HOST="))
                        .findFirst()
                        .orElseThrow()
                        .substring("DOCKER_HOST=".length()));
        removeLeftoversOfEarlierRuns();
        Result base = run(Duration.ofMinutes(10), "docker/local/base.sh");
        assertThat(base.exitCode())
                .as("docker/local/base.sh:\n%s", base.output())
                .isZero();
        long t1 = System.nanoTime();

        String flink = Repo.pomProperty("flink.version");
        env.put(
                "ROLLCAST_FLINK_IMAGE",
                "rollcast-local/flink:" + flink + "-java" + Repo.pomProperty("maven.compiler.release"));
        env.put("ROLLCAST_JRE_IMAGE", "rollcast-local/jre:17");
        env.put("ROLLCAST_KAFKA_IMAGE", "rollcast-local/kafka:" + Repo.pomProperty("kafka.version"));
        env.put("ROLLCAST_POSTGRES_IMAGE", "rollcast-local/postgres:15");
        env.put("ROLLCAST_REDIS_IMAGE", "rollcast-local/redis:7");
        env.put("ROLLCAST_CLICKHOUSE_IMAGE", "rollcast-local/clickhouse:18");
        env.put(
                "ROLLCAST_FANOUT_AUTH_SECRET",
                Base64.getEncoder().encodeToString(java.security.SecureRandom.getSeed(36)));
        // ClickHouse asks for 262144 open files; a container cannot exceed the engine's own hard limit
        long nofile = ((com.sun.management.UnixOperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        env.put("ROLLCAST_CLICKHOUSE_NOFILE", Long.toString(Math.min(262_144, nofile)));
        env.put("ROLLCAST_COMPOSE_KAFKA_PORT", Integer.toString(kafkaPort = freePort()));
        env.put("ROLLCAST_COMPOSE_FLINK_PORT", Integer.toString(flinkPort = freePort()));
        env.put("ROLLCAST_COMPOSE_PG_PORT", Integer.toString(pgPort = freePort()));
        env.put("ROLLCAST_COMPOSE_CH_PORT", Integer.toString(chPort = freePort()));
        env.put("ROLLCAST_COMPOSE_REDIS_PORT", Integer.toString(freePort()));
        env.put("ROLLCAST_COMPOSE_FANOUT_PORT", Integer.toString(fanoutPort = freePort()));
        assertThat(Repo.path("deploy/target/images/job/rollcast-jobs.jar"))
                .as("mvn package of deploy/ copies the job jar")
                .exists();
        assertThat(Repo.path("deploy/target/images/fanout/lib"))
                .as("mvn package of deploy/ copies the fan-out classpath")
                .isDirectory();

        Result build = compose(Duration.ofMinutes(10), "build", "jobmanager", "fanout");
        assertThat(build.exitCode())
                .as("docker-compose build:\n%s", build.output())
                .isZero();
        long t2 = System.nanoTime();
        volumesBefore = lines(docker(Duration.ofSeconds(30), "volume", "ls", "-q"));
        System.out.printf(
                "compose IT: engine + base images %.1f s, job and fan-out images %.1f s%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        for (String image : List.of(
                env.get("ROLLCAST_FLINK_IMAGE"),
                "rollcast/flink-job:0.1.0-flink" + flink,
                "rollcast/fanout:0.1.0",
                env.get("ROLLCAST_KAFKA_IMAGE"),
                env.get("ROLLCAST_CLICKHOUSE_IMAGE"))) {
            System.out.printf(
                    "compose IT: image %s %s%n",
                    image,
                    docker(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Size}}", image)
                            .output()
                            .strip());
        }
    }

    /** Containers, networks and volumes of rollcast-it-* projects whose test JVM died before its down -v (private engine only). */
    static void removeLeftoversOfEarlierRuns() throws IOException, InterruptedException {
        String label = "{{.Label \"com.docker.compose.project\"}}";
        removeLabelled(List.of("ps", "-a", "--format", "{{.ID}} " + label), List.of("rm", "-f"));
        removeLabelled(List.of("network", "ls", "--format", "{{.ID}} " + label), List.of("network", "rm"));
        removeLabelled(List.of("volume", "ls", "--format", "{{.Name}} " + label), List.of("volume", "rm", "-f"));
    }

    private static void removeLabelled(List<String> list, List<String> remove)
            throws IOException, InterruptedException {
        Result ls = docker(Duration.ofSeconds(30), list.toArray(String[]::new));
        List<String> cmd = new ArrayList<>(remove);
        ls.output()
                .lines()
                .map(l -> l.strip().split(" ", 2))
                .filter(p -> p.length == 2 && p[1].startsWith("rollcast-it-"))
                .forEach(p -> cmd.add(p[0]));
        if (cmd.size() > remove.size()) {
            System.out.println("compose IT: removing leftovers of an earlier run: " + cmd);
            docker(Duration.ofMinutes(1), cmd.toArray(String[]::new));
        }
    }

    @AfterAll
    static void downAndEngine() throws Exception {
        try {
            if (!down && env.containsKey("DOCKER_HOST")) {
                System.out.println(compose(Duration.ofMinutes(1), "logs", "--no-color", "--tail", "60")
                        .output());
                compose(Duration.ofMinutes(3), "down", "-v", "--remove-orphans", "--timeout", "5");
            }
            if (env.containsKey("DOCKER_HOST"))
                docker(Duration.ofMinutes(1), "image", "prune", "-f"); // layers of replaced images
        } finally {
            if (engineStartedHere) run(Duration.ofMinutes(1), "docker/local/engine.sh", "down");
        }
    }

    @Test
    void generatedEventsReachBothStoresAndALiveSseClientThenDownLeavesNothing() throws Exception {
        long t0 = System.nanoTime();
        List<String> upArgs = new ArrayList<>(List.of("up", "-d", "--no-build"));
        upArgs.addAll(SERVICES);
        Result up = compose(Duration.ofMinutes(6), upArgs.toArray(String[]::new));
        assertThat(up.exitCode()).as("docker-compose up:\n%s", up.output()).isZero();
        for (String s : List.of("kafka", "jobmanager", "taskmanager", "postgres", "clickhouse", "redis", "fanout")) {
            awaitTrue(s + " healthy", Duration.ofMinutes(2), () -> "healthy".equals(health(s)));
        }
        awaitTrue("the job RUNNING with every task deployed", Duration.ofMinutes(2), ComposeStackIT::jobRunning);
        long t1 = System.nanoTime();

        // a real token: TokenCli in the fan-out container, with the key the container was given
        Result minted = compose(
                Duration.ofMinutes(1),
                "exec",
                "-T",
                "fanout",
                "java",
                "-cp",
                "/opt/rollcast/lib/*",
                "io.rollcast.fanout.TokenCli",
                "--tenant",
                TENANT,
                "--specs",
                SPEC,
                "--ttl",
                "1h");
        assertThat(minted.exitCode())
                .as("TokenCli in the fan-out container:\n%s", minted.output())
                .isZero();
        String token = minted.output()
                .lines()
                .filter(l -> l.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no token in: " + minted.output()));

        List<WindowSpec> specs = new ArrayList<>();
        for (JsonNode s :
                Repo.yaml(Repo.read("docker/conf/job.yaml")).path("windows").path("specs")) {
            specs.add(WindowSpec.parse(s.asText()));
        }
        assertThat(specs).extracting(WindowSpec::id).contains(SPEC);
        EventGenerator gen = new EventGenerator(new GeneratorConfig(
                41, 10, 5, START, 50, 0.20, 4_000, 0.02, 35_000, 180_000, 0, 0, 0, 0.01,
                0.01)); // disorder, late within the lateness, bad records, duplicates
        Map<String, double[]> expected = oracle(gen, EVENTS, specs);

        long from = START - 3_600_000L, to = START + 3_600_000L;
        Map<String, WindowRow> client = new TreeMap<>();
        try (SseClient sse = SseClient.open(
                fanoutPort, "/v1/stream?spec=" + SPEC + "&from=" + from + "&to=" + to + "&access_token=" + token)) {
            assertThat(sse.status(15_000)).as("SSE status: %s", sse.body()).isEqualTo(200);
            SseClient.Event first = sse.next(15_000);
            assertThat(first).as("the first SSE event").isNotNull();
            assertThat(first.event()).isEqualTo("snapshot");
            apply(first, client);

            produce(gen, EVENTS);
            String pgUrl = "jdbc:postgresql://127.0.0.1:" + pgPort + "/rollcast?user=rollcast&password=rollcast";
            awaitEmpty("Postgres rows equal the oracle", () -> diff(expected, StoreRows.postgres(pgUrl, "rollups")));
            awaitEmpty("ClickHouse rows equal the oracle", () -> diff(expected, clickhouseRows()));

            Map<String, WindowRow> store = new TreeMap<>();
            StoreRows.postgres(pgUrl, "rollups").forEach((k, r) -> {
                if (r.tenantId().equals(TENANT)
                        && r.spec().equals(SPEC)
                        && r.windowStart() >= from
                        && r.windowStart() < to) {
                    store.put(k, r);
                }
            });
            int[] deltas = {0};
            awaitEmpty("the SSE client's snapshot + deltas equal the store", () -> {
                for (SseClient.Event e : sse.drain()) {
                    if ("delta".equals(e.event())) deltas[0]++;
                    apply(e, client);
                }
                return StoreRows.diff(store, client, StoreRows.EXACT, 10);
            });
            assertThat(deltas[0]).as("deltas pushed after the snapshot").isPositive();
            assertThat(client).hasSizeGreaterThan(1);
            System.out.printf(
                    "compose IT: %d windows in each store equal the oracle; the SSE client holds %d windows of %s/%s from"
                            + " %d deltas%n",
                    expected.size(), client.size(), TENANT, SPEC, deltas[0]);
        }
        // what a Prometheus scraping the pods would read: each Flink JVM's reporter on :9249 (plugin of the image)
        for (String[] scrape : List.of(
                new String[] {"taskmanager", "flink_taskmanager_job_task_operator_dlq_not_json_records{"},
                new String[] {"taskmanager", "flink_taskmanager_job_task_operator_rowsFinal{"},
                new String[] {
                    "taskmanager",
                    "flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max{"
                },
                new String[] {"jobmanager", "flink_jobmanager_job_numRestarts{"})) {
            Result metrics = compose(
                    Duration.ofSeconds(30), "exec", "-T", scrape[0], "curl", "-sf", "http://localhost:9249/metrics");
            assertThat(metrics.exitCode())
                    .as("curl :9249/metrics in %s: %s", scrape[0], metrics.output())
                    .isZero();
            assertThat(metrics.output()).as("%s's /metrics", scrape[0]).contains(scrape[1]);
        }
        long t2 = System.nanoTime();

        Result d = compose(Duration.ofMinutes(3), "down", "-v", "--remove-orphans", "--timeout", "10");
        down = true;
        assertThat(d.exitCode()).as("docker-compose down -v:\n%s", d.output()).isZero();
        String label = "label=com.docker.compose.project=" + PROJECT;
        assertThat(lines(docker(Duration.ofSeconds(30), "ps", "-aq", "--filter", label)))
                .as("containers left")
                .isEmpty();
        assertThat(lines(docker(Duration.ofSeconds(30), "network", "ls", "-q", "--filter", label)))
                .as("networks left")
                .isEmpty();
        assertThat(lines(docker(Duration.ofSeconds(30), "volume", "ls", "-q", "--filter", label)))
                .as("volumes left")
                .isEmpty();
        Set<String> newVolumes = lines(docker(Duration.ofSeconds(30), "volume", "ls", "-q"));
        newVolumes.removeAll(volumesBefore);
        assertThat(newVolumes).as("volumes left, anonymous ones included").isEmpty();
        System.out.printf(
                "compose IT: up to job running %.1f s, events to checked stores and SSE %.1f s, down %.1f s%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
    }

    /** Expected {count, sum, min, max} per window: plain grouping of the valid, de-duplicated events. */
    static Map<String, double[]> oracle(EventGenerator gen, long n, List<WindowSpec> specs) {
        Set<String> seen = new HashSet<>();
        Map<String, BigDecimal> sums = new TreeMap<>();
        Map<String, double[]> acc = new TreeMap<>(); // count, min, max
        for (long i = 0; i < n; i++) {
            Event e = gen.get(i).event();
            if (e == null || !seen.add(e.eventId())) continue;
            for (WindowSpec s : specs) {
                long last = Math.floorDiv(e.timestamp(), s.slideMs()) * s.slideMs();
                for (long start = last; start > e.timestamp() - s.sizeMs(); start -= s.slideMs()) {
                    String k = StoreRows.key(e.tenantId(), e.eventType(), s.id(), start);
                    sums.merge(k, new BigDecimal(e.value()), BigDecimal::add);
                    double[] a = acc.computeIfAbsent(k, x -> new double[] {0, Double.MAX_VALUE, -Double.MAX_VALUE});
                    a[0]++;
                    a[1] = Math.min(a[1], e.value());
                    a[2] = Math.max(a[2], e.value());
                }
            }
        }
        Map<String, double[]> out = new TreeMap<>();
        acc.forEach((k, a) ->
                out.put(k, new double[] {a[0], Double.parseDouble(sums.get(k).toString()), a[1], a[2]}));
        return out;
    }

    /** Differences from the oracle, the flush tenant left out; a window still holding an early row differs too. */
    static List<String> diff(Map<String, double[]> expected, Map<String, WindowRow> rows) {
        rows.values().removeIf(r -> r.tenantId().equals(FLUSH_TENANT));
        List<String> d = new ArrayList<>(StoreRows.diffValues(expected, rows, StoreRows.EXACT, 10));
        rows.values().stream().filter(r -> r.kind() == Kind.EARLY).limit(3).forEach(r -> d.add("still early: " + r));
        return d;
    }

    /** Generated records [0, n) to the events topic, then per partition enough far-ahead events to close every window. */
    static void produce(EventGenerator gen, long n) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < n; i++) {
                var g = gen.get(i);
                producer.send(new ProducerRecord<>("events", g.key(), g.value()));
            }
            long ts = gen.baseTime(n) + 3_600_000L;
            int confirm = JobConfig.defaults().confirmEvents();
            for (int part = 0; part < 4; part++) {
                for (int i = 0; i < confirm; i++) {
                    String v = "{\"event_id\":\"flush-" + part + "-" + i + "\",\"tenant_id\":\"" + FLUSH_TENANT
                            + "\",\"event_type\":\"flush\",\"timestamp\":" + ts + ",\"schema_version\":1}";
                    producer.send(new ProducerRecord<>(
                            "events",
                            part,
                            FLUSH_TENANT.getBytes(StandardCharsets.UTF_8),
                            v.getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
    }

    /** rollcast.rollups FINAL in the ClickHouse container over its published HTTP port; doubles by their bits. */
    static Map<String, WindowRow> clickhouseRows() {
        String sql = StoreRows.clickhouseSelect("rollcast");
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + chPort + "/?user=rollcast&password=rollcast&query="
                                                    + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                                    .timeout(Duration.ofSeconds(30))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return new TreeMap<>(); // the table may not exist yet
            return StoreRows.clickhouseRows(r.body());
        } catch (IOException e) {
            return new TreeMap<>();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Applies a snapshot (replaces the state) or a delta (highest version wins), as a dashboard does. */
    static void apply(SseClient.Event e, Map<String, WindowRow> state) {
        if (e.event() == null || e.data() == null) return;
        try {
            JsonNode n = JSON.readTree(e.data());
            switch (e.event()) {
                case "snapshot", "resync" -> {
                    state.clear();
                    n.get("rows").forEach(r -> put(r, state));
                }
                case "delta" -> put(n, state);
                default -> {}
            }
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void put(JsonNode n, Map<String, WindowRow> state) {
        WindowRow r = RowCodec.readRow(n.toString().getBytes(StandardCharsets.UTF_8)); // a delta is a row plus changes
        state.merge(StoreRows.key(r), r, (a, b) -> b.version() > a.version() ? b : a);
    }

    /** The job of the application cluster is RUNNING and all its tasks are deployed. */
    static boolean jobRunning() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + flinkPort + "/jobs/overview"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return false;
            for (JsonNode j : JSON.readTree(r.body()).path("jobs")) {
                if (j.path("state").asText().equals("RUNNING")
                        && j.path("tasks").path("running").asInt()
                                == j.path("tasks").path("total").asInt(-1)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A service's container health (healthy, starting, unhealthy), or its state when it has no check. */
    static String health(String service) {
        try {
            String id = compose(Duration.ofSeconds(30), "ps", "-q", service)
                    .output()
                    .strip();
            if (id.isEmpty()) return "missing";
            return docker(
                            Duration.ofSeconds(30),
                            "inspect",
                            "--format",
                            "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}",
                            id.lines().reduce((a, b) -> b).orElseThrow())
                    .output()
                    .strip();
        } catch (Exception e) {
            return "error: " + e;
        }
    }

    static void awaitTrue(String what, Duration timeout, Supplier<Boolean> check) throws InterruptedException {
        for (long end = System.nanoTime() + timeout.toNanos(); System.nanoTime() < end; Thread.sleep(1000)) {
            if (check.get()) return;
        }
        fail(what + ": not within " + timeout.toSeconds() + " s");
    }

    static void awaitEmpty(String what, Supplier<List<String>> diff) throws InterruptedException {
        List<String> d = List.of("not checked");
        for (long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                System.nanoTime() < end;
                Thread.sleep(2000)) {
            d = diff.get();
            if (d.isEmpty()) return;
        }
        assertThat(d).as(what).isEmpty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Set<String> lines(Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
        Set<String> out = new HashSet<>();
        r.output().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(out::add);
        return out;
    }

    static Result compose(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                onPath("docker-compose"),
                "-f",
                COMPOSE.toString(),
                "--project-directory",
                Repo.path("docker").toString(),
                "-p",
                PROJECT,
                "--ansi",
                "never"));
        cmd.addAll(List.of(args));
        return run(timeout, cmd.toArray(String[]::new));
    }

    /** Debian's docker client (the engine's version) when installed, else the one on the PATH. */
    static Result docker(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd =
                new ArrayList<>(List.of(Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker"));
        cmd.addAll(List.of(args));
        return run(timeout, cmd.toArray(String[]::new));
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        return fail(name + " is not on the PATH: run bin/stack install");
    }

    /** Runs a command in the repository root with the test's environment; output is stdout and stderr merged. */
    static Result run(Duration timeout, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb =
                new ProcessBuilder(cmd).directory(Repo.ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("compose-it", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            String partial = Files.readString(out);
            Files.delete(out);
            return fail(String.join(" ", cmd) + " did not finish in " + timeout.toSeconds() + " s:\n" + partial);
        }
        String output = Files.readString(out);
        Files.delete(out);
        return new Result(p.exitValue(), output);
    }
}
