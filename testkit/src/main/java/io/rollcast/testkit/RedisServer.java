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

  @Override
  public String toString() {
    return "RedisServer[" + uri() + "]";
  }
}
