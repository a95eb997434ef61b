package io.rollcast.fanout;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock a test moves by hand (days of a session's life in seconds); thread-safe. */
public final class SimClock extends Clock {
    private final AtomicLong now;

    public SimClock(long startMs) {
        this.now = new AtomicLong(startMs);
    }

    public void set(long ms) {
        now.set(ms);
    }

    public void advance(long ms) {
        now.addAndGet(ms);
    }

    @Override
    public long millis() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(now.get());
    }
}
