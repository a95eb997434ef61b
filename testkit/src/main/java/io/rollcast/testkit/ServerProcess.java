package io.rollcast.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One server process started and stopped through its {@code bin/lib/<name>.sh} script. */
final class ServerProcess implements AutoCloseable {

    static final String INSTALL_HINT = "Run `bin/stack install` to install the local servers.";

    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);
    private static final long SCRIPT_TIMEOUT_SECONDS = 180;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile boolean staleCleaned;

    private final String name;
    private final Path script;
    private final Path dir;
    private final List<Integer> ports;
    private final Map<String, String> env;
    private volatile boolean stopped;

    private ServerProcess(String name, Path script, Path dir, List<Integer> ports, Map<String, String> env) {
        this.name = name;
        this.script = script;
        this.dir = dir;
        this.ports = List.copyOf(ports);
        this.env = Map.copyOf(env);
    }

    /**
     * Starts server {@code name} on {@code portCount} free loopback ports in a new directory under
     * {@code ${java.io.tmpdir}/servers}; fails with a message naming {@code bin/stack install}.
     */
    static ServerProcess start(String name, int portCount, Map<String, String> env) {
        // free ports are found by binding port 0 and releasing it; until the server binds them, an
        // outgoing connection of this machine can take one (seen once in CI: a Flink TaskManager died
        // at start). So a failed start is tried again, on fresh ports, before it counts.
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                return startOnce(name, portCount, env);
            } catch (IllegalStateException e) {
                if (e.getMessage() != null && e.getMessage().contains("is missing"))
                    throw e; // not installed: no retry helps
                last = e;
                LOG.warn("{} did not start (attempt {} of {}): {}", name, attempt, START_ATTEMPTS, e.getMessage());
            }
        }
        throw last;
    }

    private static final int START_ATTEMPTS = 3;

    private static ServerProcess startOnce(String name, int portCount, Map<String, String> env) {
        Path root = repoRoot();
        Path script = root.resolve("bin/lib/" + name + ".sh");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("Cannot start " + name + ": " + script + " is missing. " + INSTALL_HINT);
        }
        Path base =
                Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("servers");
        Path dir;
        try {
            Files.createDirectories(base);
            cleanStale(base, root);
            dir = Files.createTempDirectory(base, name + "-");
            Files.writeString(dir.resolve("owner"), ProcessHandle.current().pid() + "\n" + name + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for " + name + " under " + base, e);
        }
        ServerProcess server = new ServerProcess(name, script, dir, freePorts(portCount), env);
        long t0 = System.nanoTime();
        List<String> args = new ArrayList<>(List.of("start", dir.toString()));
        server.ports.forEach(p -> args.add(Integer.toString(p)));
        ScriptResult result = server.run(args);
        if (result.exitCode != 0) {
            server.close();
            throw new IllegalStateException(String.format(
                    "Could not start %s (%s start exited with %d). %s%n%s",
                    name, root.relativize(script), result.exitCode, INSTALL_HINT, result.output));
        }
        LOG.info(
                "{} started on 127.0.0.1 ports {} in {} ms ({})",
                name,
                server.ports,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                dir);
        return server;
    }

    String name() {
        return name;
    }

    /** The i-th port passed to the start script. */
    int port(int i) {
        return ports.get(i);
    }

    Path dir() {
        return dir;
    }

    /**
     * Stops the server but keeps its directory and ports, so that {@link #startAgain()} brings the
     * same server (same data, same port) back; for outage tests.
     */
    synchronized void stopKeepingData() {
        if (stopped) {
            throw new IllegalStateException(name + " is closed");
        }
        ScriptResult result = run(List.of("stop", dir.toString()));
        if (result.exitCode != 0) {
            throw new IllegalStateException(name + " stop exited with " + result.exitCode + ": " + result.output);
        }
        LOG.info("{} stopped (data kept in {})", name, dir);
    }

    /**
     * Kills the server with SIGKILL (a crash: no graceful shutdown), keeping its directory and ports
     * for {@link #startAgain()}. The pid comes from the {@code <name>.pid} file its script writes.
     */
    synchronized void killKeepingData() {
        if (stopped) {
            throw new IllegalStateException(name + " is closed");
        }
        Path pidFile = dir.resolve(name + ".pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroyForcibly();
                try {
                    p.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(name + " (pid " + pid + ") did not die after SIGKILL", e);
                }
            });
            LOG.info("{} killed (pid {}, data kept in {})", name, pid, dir);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot kill " + name + " via " + pidFile + ": " + e.getMessage(), e);
        }
    }

    /** Starts a server stopped by {@link #stopKeepingData()} again on the same directory and ports. */
    synchronized void startAgain() {
        if (stopped) {
            throw new IllegalStateException(name + " is closed");
        }
        long t0 = System.nanoTime();
        List<String> args = new ArrayList<>(List.of("start", dir.toString()));
        ports.forEach(p -> args.add(Integer.toString(p)));
        ScriptResult result = run(args);
        if (result.exitCode != 0) {
            throw new IllegalStateException(name + " start exited with " + result.exitCode + ": " + result.output);
        }
        LOG.info(
                "{} started again on ports {} in {} ms",
                name,
                ports,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Runs another subcommand of the server's script on its directory (e.g. {@code kill-tm}); throws on failure. */
    synchronized String command(String subcommand, String... args) {
        if (stopped) {
            throw new IllegalStateException(name + " is closed");
        }
        List<String> all = new ArrayList<>(List.of(subcommand, dir.toString()));
        all.addAll(List.of(args));
        ScriptResult result = run(all);
        if (result.exitCode != 0) {
            throw new IllegalStateException(
                    name + " " + subcommand + " exited with " + result.exitCode + ": " + result.output);
        }
        return result.output;
    }

    /** Stops the server (idempotent) and deletes its directory unless {@code -Drollcast.testkit.keep=true}. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        ScriptResult result = run(List.of("stop", dir.toString()));
        if (result.exitCode != 0) {
            LOG.warn("{} stop exited with {}: {}", name, result.exitCode, result.output);
        } else if (!Boolean.getBoolean("rollcast.testkit.keep")) {
            deleteRecursively(dir);
        }
    }

    /** A unique lower-case name {@code prefix_<n>_<random>} usable for topics and databases. */
    static String freshName(String prefix) {
        String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return String.format(
                "%s_%d_%06x",
                clean, COUNTER.incrementAndGet(), ThreadLocalRandom.current().nextInt(1 << 24));
    }

    private ScriptResult run(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(script.toString());
        command.addAll(args);
        Path log = dir.resolveSibling(dir.getFileName() + "." + args.get(0) + ".log");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            if (!p.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new ScriptResult(-1, "timed out after " + SCRIPT_TIMEOUT_SECONDS + " s\n" + read(log));
            }
            ScriptResult result = new ScriptResult(p.exitValue(), read(log));
            Files.deleteIfExists(log);
            return result;
        } catch (IOException e) {
            return new ScriptResult(-1, "cannot run " + command + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ScriptResult(-1, "interrupted while running " + command);
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** The repository root: the nearest directory at or above {@code user.dir} holding {@code bin/stack}. */
    static Path repoRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/stack"))) {
                return p;
            }
        }
        throw new IllegalStateException("No bin/stack found at or above " + start + ". " + INSTALL_HINT);
    }

    /** Distinct free ports on 127.0.0.1 (bound together, then released for the server). */
    static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, loopback));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find free ports", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the port is free again either way
                }
            }
        }
    }

    /** Stops servers left behind by test JVMs that died without stopping them (e.g. SIGKILL). */
    private static synchronized void cleanStale(Path base, Path root) throws IOException {
        if (staleCleaned) {
            return;
        }
        staleCleaned = true;
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                Path owner = d.resolve("owner");
                if (!Files.isRegularFile(owner)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(owner);
                if (lines.size() < 2
                        || ProcessHandle.of(Long.parseLong(lines.get(0).trim())).isPresent()) {
                    continue;
                }
                String staleName = lines.get(1).trim();
                LOG.warn("Stopping {} left over by dead test JVM {} in {}", staleName, lines.get(0), d);
                new ServerProcess(staleName, root.resolve("bin/lib/" + staleName + ".sh"), d, List.of(), Map.of())
                        .close();
            }
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring malformed owner file under {}: {}", base, e.getMessage());
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    private record ScriptResult(int exitCode, String output) {}
}
