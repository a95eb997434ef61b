package io.rollcast.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A real PostgreSQL 15 server on 127.0.0.1 (user {@code postgres}, trust auth), injected by {@link RealServers}. */
public final class PostgresServer {

    private final ServerProcess process;

    PostgresServer(ServerProcess process) {
        this.process = process;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return process.port(0);
    }

    /** The superuser; no password is needed (trust auth). */
    public String user() {
        return "postgres";
    }

    /** JDBC URL of database {@code db}, including the user. */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + db + "?user=" + user();
    }

    /** Creates a database with a unique name starting with {@code prefix}; returns its JDBC URL. */
    public String freshDatabase(String prefix) {
        String name = ServerProcess.freshName(prefix);
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"));
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + name + " on " + host() + ":" + port(), e);
        }
        return jdbcUrl(name);
    }

    /**
     * Stops the server, keeping its data directory and port, to simulate an outage; {@link #start()}
     * brings it back. Other tests in the same JVM share this server: start it again before returning.
     */
    public void stop() {
        process.stopKeepingData();
    }

    /**
     * Kills the server with SIGKILL, as in a crash, keeping its data directory and port; {@link
     * #start()} brings it back. Unlike {@link #stop()} this is immediate even while clients keep
     * connections busy (a graceful ClickHouse 18.16 shutdown serves keep-alive clients for many seconds).
     */
    public void kill() {
        process.killKeepingData();
    }

    /** Starts the server again after {@link #stop()} or {@link #kill()}, on the same port with the same data. */
    public void start() {
        process.startAgain();
    }

    @Override
    public String toString() {
        return "PostgresServer[" + host() + ":" + port() + "]";
    }
}
