package io.rollcast.fanout.bench;

import io.rollcast.fanout.Deltas;
import io.rollcast.fanout.TestServer;
import io.rollcast.fanout.config.FanoutConfig;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out benchmark (prints figures; not a test): one server process, N idle-then-live SSE clients
 * spread over several load processes and loopback source addresses, deltas published to their one
 * channel at a fixed rate; reports connections reached, delivery latency p50/p99 and memory per idle
 * connection.
 *
 * <p>Usage: {@code FanoutBenchmark [clients=20000] [processes=4] [rate=2] [seconds=30] [ramp=2000]
 * [server=fanout|bare|both]}: {@code both} measures the fan-out, then the bare Netty broadcast
 * reference ({@link BareBroadcastServer}) under the same load in the same run; with
 * {@code -Dbench.rounds=N} it does so N times, alternating which goes first, and prints the mean p99 ratio.
 * Run with {@code bin/bench fanout ...}.
 */
public final class FanoutBenchmark {
    private static final String SPEC = "tumbling-1m";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One child JVM with its stdout lines in a queue. */
    private record Child(Process process, PrintWriter in, BlockingQueue<String> out) {
        static Child start(List<String> cmd) throws IOException {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            BlockingQueue<String> q = new LinkedBlockingQueue<>();
            Thread t = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) q.add(line);
                } catch (IOException ignored) {
                    // child ended
                }
            });
            t.setDaemon(true);
            t.start();
            return new Child(p, new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8), q);
        }

        String ask(String cmd, String prefix) throws InterruptedException {
            in.println(cmd);
            long end = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < end) {
                String l = out.poll(1, TimeUnit.SECONDS);
                if (l != null && l.startsWith(prefix)) return l;
            }
            throw new IllegalStateException("no answer to " + cmd);
        }
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int processes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int ramp = args.length > 4 ? Integer.parseInt(args[4]) : 2_000;
        String target = args.length > 5 ? args[5] : "fanout"; // fanout, bare, or both (side by side, one run)
        RedisServer redis = RealServers.startForMain(RedisServer.class);
        // both: -Dbench.rounds=N alternates the order (fanout, bare / bare, fanout, ...) so that a machine
        // whose load drifts during the run does not favour the server measured second
        int rounds = target.equals("both") ? Integer.getInteger("bench.rounds", 1) : 1;
        List<long[]> fanout = new ArrayList<>(), bare = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<String> order = !target.equals("both")
                    ? List.of(target)
                    : round % 2 == 0 ? List.of("fanout", "bare") : List.of("bare", "fanout");
            for (String t : order) {
                System.out.printf("=== %s server (round %d) ===%n", t, round + 1);
                long[] r = run(t, redis, clients, processes, rate, seconds, ramp);
                (t.equals("bare") ? bare : fanout).add(r);
            }
            if (target.equals("both")) {
                long[] f = fanout.get(round), b = bare.get(round);
                System.out.printf(
                        "round %d side by side: fan-out p50 %d / p99 %d / p99.9 %d ms; bare Netty broadcast p50 %d / p99 %d"
                                + " / p99.9 %d ms; p99 ratio %.2f%n",
                        round + 1, f[0], f[1], f[2], b[0], b[1], b[2], b[1] == 0 ? Double.NaN : (double) f[1] / b[1]);
            }
        }
        if (rounds > 1) {
            long f99 = 0, b99 = 0, f50 = 0, b50 = 0;
            for (int i = 0; i < rounds; i++) {
                f50 += fanout.get(i)[0];
                f99 += fanout.get(i)[1];
                b50 += bare.get(i)[0];
                b99 += bare.get(i)[1];
            }
            System.out.printf(
                    "all %d rounds: mean p50 fan-out %d / bare %d ms, mean p99 fan-out %d / bare %d ms; p99 ratio %.2f%n",
                    rounds,
                    f50 / rounds,
                    b50 / rounds,
                    f99 / rounds,
                    b99 / rounds,
                    b99 == 0 ? Double.NaN : (double) f99 / b99);
        }
        System.exit(0);
    }

    /** One server (the fan-out or the bare reference) under the load; returns p50, p99, p99.9 and max (ms). */
    private static long[] run(
            String target, RedisServer redis, int clients, int processes, int rate, int seconds, int ramp)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> serverCmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx2g", "-XX:+UseParallelGC"));
        String extra = System.getenv("BENCH_SERVER_OPTS"); // e.g. a profiler: -XX:StartFlightRecording=...
        if (extra != null && !extra.isBlank())
            serverCmd.addAll(List.of(extra.trim().split("\\s+")));
        if (target.equals("bare")) {
            serverCmd.addAll(List.of(
                    "-cp",
                    cp,
                    BareBroadcastServer.class.getName(),
                    Integer.toString(port),
                    redis.uri().toString()));
        } else
            serverCmd.addAll(List.of(
                    "-cp",
                    cp,
                    "io.rollcast.fanout.FanoutServer",
                    "--set",
                    "server.port=" + port,
                    "--set",
                    "redis.uri=" + redis.uri(),
                    "--set",
                    "store.type=none",
                    "--set",
                    "server.backlog=16384",
                    "--set",
                    "tenant.max-streams=0", // one tenant holds every bench client, ramped at 2 000/s
                    "--set",
                    "tenant.connections-per-second=0",
                    "--set",
                    "tenant.max-snapshots=0"));
        ProcessBuilder spb = new ProcessBuilder(serverCmd)
                .redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "fanout-bench-server.log")
                        .toFile());
        spb.environment().put(FanoutConfig.envName("auth.secret"), TestServer.SECRET);
        spb.environment().put("ROLLCAST_FANOUT_LOG_LEVEL", "warn");
        Process server = spb.start();
        List<Child> loads = new ArrayList<>();
        try {
            waitHealthy(port);
            long serverPid = server.pid();
            System.out.printf("server pid %d on port %d; fd limit %s%n", serverPid, port, fdLimit(serverPid));
            Mem idle0 = memory(serverPid, port);

            String path = "/v1/stream?spec=" + SPEC + "&access_token=" + TestServer.token("bench", SPEC);
            int per = (clients + processes - 1) / processes;
            long t0 = System.currentTimeMillis();
            for (int i = 0; i < processes; i++) {
                int n = Math.min(per, clients - i * per);
                if (n <= 0) break;
                loads.add(Child.start(List.of(
                        java,
                        "-Xms256m",
                        "-Xmx512m",
                        "-XX:+UseParallelGC",
                        "-cp",
                        cp,
                        LoadClient.class.getName(),
                        Integer.toString(port),
                        Integer.toString(n),
                        "127.0.0." + (2 + i),
                        Integer.toString(Math.max(1, ramp / processes)),
                        path)));
            }
            int open = 0;
            int snapshots = 0;
            int stable = 0;
            long deadline = System.currentTimeMillis() + (long) clients * 1000 / ramp + 60_000;
            while (System.currentTimeMillis() < deadline) {
                Thread.sleep(2_000);
                int o = 0;
                int sn = 0;
                for (Child c : loads) {
                    String st = c.ask("status", "STATUS");
                    o += field(st, "open");
                    sn += field(st, "snapshots");
                }
                stable = (o == open && sn == snapshots) ? stable + 1 : 0;
                open = o;
                snapshots = sn;
                System.out.printf(
                        "  %5.1f s: %d connections open, %d snapshots received%n",
                        (System.currentTimeMillis() - t0) / 1000.0, open, snapshots);
                if (snapshots >= clients || stable >= 3) break;
            }
            String metrics = get(port, "/metrics");
            int streams = (int) Double.parseDouble(metric(metrics, "rollcast_fanout_connections{transport=\"sse\"}"));
            System.out.printf(
                    "connections reached: %d SSE streams served (of %d attempted; %d TCP connections open at the clients;"
                            + " %s refused by server.max-connections)%n",
                    streams, clients, open, metric(metrics, "rollcast_fanout_refused_connections_total"));
            open = streams;
            Mem idle1 = memory(serverPid, port);
            double heapPer = (idle1.heap - idle0.heap) / (double) Math.max(1, open);
            double directPer = (idle1.direct - idle0.direct) / (double) Math.max(1, open);
            double rssPer = (idle1.rss - idle0.rss) / (double) Math.max(1, open);
            System.out.printf(
                    "memory per idle connection: heap %.0f B, direct %.0f B, process RSS %.0f B (heap %d -> %d MB, RSS %d -> %d MB)%n",
                    heapPer, directPer, rssPer, idle0.heap >> 20, idle1.heap >> 20, idle0.rss >> 20, idle1.rss >> 20);

            for (Child c : loads) c.ask("reset", "RESET");
            long window = (System.currentTimeMillis() / 60_000) * 60_000;
            try (Deltas d = new Deltas(redis.uri())) {
                long start = System.currentTimeMillis();
                int total = rate * seconds;
                for (int i = 1; i <= total; i++) {
                    d.publish(Deltas.json(
                            "bench",
                            "page.view",
                            SPEC,
                            window,
                            60_000,
                            "early",
                            2L * i,
                            i,
                            i,
                            0,
                            i,
                            System.currentTimeMillis()));
                    long wait = start + (long) i * 1000 / rate - System.currentTimeMillis();
                    if (wait > 0) Thread.sleep(wait);
                }
            }
            Thread.sleep(3_000);
            long[] hist = new long[LoadClient.BUCKETS + 1];
            long received = 0;
            for (Child c : loads) {
                String r = c.ask("report", "REPORT");
                received += field(r, "received");
                String h = r.substring(r.indexOf("hist=") + 5);
                for (String kv : h.split(",")) {
                    if (kv.isEmpty()) continue;
                    String[] p = kv.split(":");
                    hist[Integer.parseInt(p[0])] += Long.parseLong(p[1]);
                }
            }
            long expected = (long) open * rate * seconds;
            System.out.printf(
                    "deliveries: %d of %d expected (%d clients x %d msg/s x %d s = %d deliveries/s)%n",
                    received, expected, open, rate, seconds, (long) open * rate);
            System.out.printf(
                    "delivery latency (publish -> client parse): p50 %d ms, p99 %d ms, p99.9 %d ms, max %d ms%n",
                    pct(hist, received, 0.50),
                    pct(hist, received, 0.99),
                    pct(hist, received, 0.999),
                    pct(hist, received, 1.0));
            long[] figures = {
                pct(hist, received, 0.50),
                pct(hist, received, 0.99),
                pct(hist, received, 0.999),
                pct(hist, received, 1.0)
            };
            System.out.println(get(port, "/metrics")
                    .lines()
                    .filter(l -> l.startsWith("rollcast_fanout_drops_total")
                            || l.startsWith("rollcast_fanout_messages_in_total")
                            || l.startsWith("rollcast_fanout_messages_out_total")
                            || l.startsWith("rollcast_fanout_resyncs_total")
                            || l.startsWith("rollcast_fanout_slow_disconnects"))
                    .toList());
            return figures;
        } finally {
            for (Child c : loads) {
                c.in().println("exit");
            }
            for (Child c : loads) {
                if (!c.process().waitFor(10, TimeUnit.SECONDS)) c.process().destroyForcibly();
            }
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    private record Mem(long heap, long direct, long rss) {}

    private static Mem memory(long pid, int port) throws Exception {
        new ProcessBuilder("jcmd", Long.toString(pid), "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor(30, TimeUnit.SECONDS);
        Thread.sleep(500);
        String m = get(port, "/metrics");
        long rss = 0;
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) rss = Long.parseLong(l.replaceAll("\\D", "")) * 1024;
        }
        return new Mem(
                (long) Double.parseDouble(metric(m, "jvm_memory_heap_used_bytes")),
                (long) Double.parseDouble(metric(m, "jvm_memory_direct_used_bytes")),
                rss);
    }

    private static String fdLimit(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (l.startsWith("Max open files")) return l.replaceAll("\\s+", " ").substring("Max open files ".length());
        }
        return "?";
    }

    private static long pct(long[] hist, long total, double q) {
        long target = (long) Math.ceil(total * q);
        long seen = 0;
        for (int i = 0; i < hist.length; i++) {
            seen += hist[i];
            if (seen >= target && seen > 0) return i;
        }
        return -1;
    }

    private static int field(String line, String name) {
        int i = line.indexOf(name + "=") + name.length() + 1;
        int j = i;
        while (j < line.length() && Character.isDigit(line.charAt(j))) j++;
        return Integer.parseInt(line.substring(i, j));
    }

    private static String metric(String metrics, String name) {
        return metrics.lines()
                .filter(l -> l.startsWith(name + " "))
                .map(l -> l.substring(name.length() + 1))
                .findFirst()
                .orElse("0");
    }

    private static String get(int port, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static void waitHealthy(int port) throws Exception {
        long end = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < end) {
            try {
                if (get(port, "/healthz").contains("\"ok\"")) return;
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("fan-out server did not become healthy; see fanout-bench-server.log");
    }
}
