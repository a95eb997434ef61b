package io.rollcast.testkit;

import java.net.URI;

/** A real Redis 7 server on 127.0.0.1 without persistence, injected by {@link RealServers}. */
public final class RedisServer {

    private final ServerProcess process;

    RedisServer(ServerProcess process) {
        this.process = process;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return process.port(0);
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("redis://" + host() + ":" + port());
    }

    /**
     * Stops the server, keeping its port, to simulate an outage (its data is lost: no persistence);
     * {@link #start()} brings it back. Other tests in the same JVM share this server: start it again
     * before returning.
     */
    public void stop() {
        process.stopKeepingData();
    }

    /** Starts the server again after {@link #stop()}, on the same port. */
    public void start() {
        process.startAgain();
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + "]";
    }
}
