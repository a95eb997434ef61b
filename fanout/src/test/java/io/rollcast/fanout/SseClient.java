package io.rollcast.fanout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A plain-socket SSE client for tests: sends one GET, parses events into a queue on its own thread. */
public final class SseClient implements AutoCloseable {
    /** One event as received, with the receive time. */
    public record Event(String id, String event, String data, long receivedNanos) {}

    private final Socket socket;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final StringBuilder body = new StringBuilder();
    private volatile boolean ended;
    private volatile java.util.function.Consumer<Event> sink;

    /** Passes events to {@code sink} instead of queueing them (for load: nothing is retained). */
    public SseClient sink(java.util.function.Consumer<Event> sink) {
        this.sink = sink;
        return this;
    }

    private SseClient(Socket socket, String request) throws IOException {
        this.socket = socket;
        this.gated = pausedNext.get();
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        this.reader = new Thread(this::read, "sse-client");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Opens {@code pathAndQuery} with extra request headers (name, value, ...). */
    public static SseClient open(int port, String pathAndQuery, String... headerPairs) throws IOException {
        return open(port, 0, pathAndQuery, headerPairs);
    }

    /** The same with a receive buffer size (0 = default). */
    public static SseClient open(int port, int receiveBuffer, String pathAndQuery, String... headerPairs)
            throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        StringBuilder req = new StringBuilder(
                "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: text/event-stream\r\n");
        for (int i = 0; i + 1 < headerPairs.length; i += 2)
            req.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
        req.append("\r\n");
        return new SseClient(s, req.toString());
    }

    private final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean gated;

    /** Opens like {@link #open(int, int, String, String...)} but reads nothing until {@link #resume()}. */
    public static SseClient openPaused(int port, int receiveBuffer, String pathAndQuery) throws IOException {
        pausedNext.set(true);
        try {
            return open(port, receiveBuffer, pathAndQuery);
        } finally {
            pausedNext.set(false);
        }
    }

    private static final ThreadLocal<Boolean> pausedNext = ThreadLocal.withInitial(() -> false);

    /** Starts reading (after {@link #openPaused}). */
    public void resume() {
        gate.countDown();
    }

    private void read() {
        if (gated) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                return;
            }
        }
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
            String line = in.readLine();
            if (line == null) return;
            status = Integer.parseInt(line.split(" ")[1]);
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                int c = line.indexOf(':');
                headers.put(
                        line.substring(0, c).trim().toLowerCase(),
                        line.substring(c + 1).trim());
            }
            boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
            String id = null;
            String event = "message";
            StringBuilder data = new StringBuilder();
            while ((line = in.readLine()) != null) {
                if (chunked && isChunkHeader(line)) continue;
                if (status != 200) {
                    body.append(line);
                    continue;
                }
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        Event e = new Event(id, event, data.toString(), System.nanoTime());
                        java.util.function.Consumer<Event> s = sink;
                        if (s != null) s.accept(e);
                        else events.add(e);
                    }
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (IOException | RuntimeException e) {
            // closed
        } finally {
            ended = true;
        }
    }

    /** Chunk-size lines ({@code 1a3}) of the chunked encoding; event lines always contain ':' or are empty. */
    private static boolean isChunkHeader(String line) {
        return !line.isEmpty() && line.indexOf(':') < 0 && line.chars().allMatch(ch -> Character.digit(ch, 16) >= 0);
    }

    public int status(long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (status == 0 && !ended && System.currentTimeMillis() < end) Thread.sleep(5);
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public String body() {
        return body.toString();
    }

    public boolean ended() {
        return ended;
    }

    /** The next event, or null after {@code timeoutMs}. */
    public Event next(long timeoutMs) throws InterruptedException {
        return events.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** The next event of type {@code type}, skipping others; null after {@code timeoutMs}. */
    public Event next(String type, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            Event e = next(Math.max(1, end - System.currentTimeMillis()));
            if (e != null && e.event().equals(type)) return e;
        }
        return null;
    }

    /** Everything received so far. */
    public List<Event> drain() {
        List<Event> out = new ArrayList<>();
        events.drainTo(out);
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
