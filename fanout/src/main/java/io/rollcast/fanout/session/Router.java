package io.rollcast.fanout.session;

import io.netty.channel.EventLoop;
import io.rollcast.fanout.redis.ChannelHub;
import io.rollcast.fanout.redis.DeltaMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Routes each delta from the Redis thread to the sessions of its channel, one task per event loop.
 *
 * <p>Every event loop keeps its own channel-to-sessions map, touched only on that loop, so routing
 * needs no locks: a message costs one task submission per loop, then a loop-local lookup. A
 * periodic task per loop sends pings, disconnects stalled clients and adds the next hour's channel
 * to open-ended sessions.
 */
public final class Router implements ChannelHub.Listener {
    private final Map<EventLoop, Local> loops = new ConcurrentHashMap<>();
    private final long tickMs;
    private final java.time.Clock clock;

    /** Sessions of one event loop. Confined to that loop. */
    private static final class Local {
        final Map<String, Set<Session>> byChannel = new HashMap<>();
        final Set<Session> all = new LinkedHashSet<>();
    }

    public Router(long tickMs) {
        this(tickMs, java.time.Clock.systemUTC());
    }

    /** Ticks every {@code tickMs} with the time of {@code clock} (a simulation's clock in tests). */
    public Router(long tickMs, java.time.Clock clock) {
        this.tickMs = tickMs;
        this.clock = clock;
    }

    private Local local(EventLoop loop) {
        return loops.computeIfAbsent(loop, l -> {
            Local local = new Local();
            l.scheduleAtFixedRate(() -> tick(local, clock.millis()), tickMs, tickMs, TimeUnit.MILLISECONDS);
            return local;
        });
    }

    /** On the session's loop. */
    void join(Session s) {
        local(s.loop()).all.add(s);
    }

    /** On the session's loop. */
    void add(Session s, String channel) {
        local(s.loop())
                .byChannel
                .computeIfAbsent(channel, c -> new LinkedHashSet<>())
                .add(s);
    }

    /** On the session's loop: {@code s} no longer reads {@code channel}. */
    void remove(Session s, String channel) {
        Local l = local(s.loop());
        Set<Session> set = l.byChannel.get(channel);
        if (set != null && set.remove(s) && set.isEmpty()) l.byChannel.remove(channel);
    }

    /** On the session's loop. */
    void leave(Session s, Iterable<String> channels) {
        Local l = local(s.loop());
        l.all.remove(s);
        for (String c : channels) {
            Set<Session> set = l.byChannel.get(c);
            if (set != null && set.remove(s) && set.isEmpty()) l.byChannel.remove(c);
        }
    }

    @Override
    public void onDelta(DeltaMessage m) {
        for (Map.Entry<EventLoop, Local> e : loops.entrySet()) {
            Local l = e.getValue();
            e.getKey().execute(() -> {
                Set<Session> set = l.byChannel.get(m.channel());
                if (set == null) return;
                for (Session s : set.toArray(Session[]::new)) s.onDelta(m);
            });
        }
    }

    @Override
    public void onReconnected() {
        for (Map.Entry<EventLoop, Local> e : loops.entrySet()) {
            Local l = e.getValue();
            e.getKey().execute(() -> {
                for (Session s : new ArrayList<>(l.all)) s.resync("redis reconnected");
            });
        }
    }

    private static void tick(Local l, long now) {
        List<Session> sessions = new ArrayList<>(l.all);
        for (Session s : sessions) s.tick(now);
    }

    /** The footprint of every open session, read on each loop (waits up to 5 s per loop). */
    public List<Session.Footprint> footprints() {
        List<Session.Footprint> out = new ArrayList<>();
        for (Map.Entry<EventLoop, Local> e : loops.entrySet()) {
            try {
                out.addAll(e.getKey()
                        .submit(() -> e.getValue().all.stream()
                                .map(Session::footprint)
                                .toList())
                        .get(5, TimeUnit.SECONDS));
            } catch (Exception ex) {
                throw new IllegalStateException("cannot read the sessions of a loop", ex);
            }
        }
        return out;
    }

    /** Sessions open on every loop (approximate: read across threads). */
    public int sessions() {
        return loops.values().stream().mapToInt(l -> l.all.size()).sum();
    }
}
