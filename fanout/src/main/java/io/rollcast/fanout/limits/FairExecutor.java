package io.rollcast.fanout.limits;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * A bounded pool of blocking worker threads whose queue is fair across tenants: one FIFO per tenant,
 * served round-robin, so a tenant with a thousand queued snapshots delays another tenant's next one
 * by at most one task per thread, not by its thousand.
 *
 * <p>Bounds: at most {@code capacity} tasks wait in all, and at most {@code perTenant} tasks of one
 * tenant are in flight (waiting or running; 0 = no per-tenant bound). A task beyond either is refused:
 * the future fails with {@link RejectedExecutionException} ({@link TenantBusy} for the per-tenant
 * bound), never thrown to the caller, so a caller on an event loop always gets its callback.
 */
public final class FairExecutor {
    /** The per-tenant bound refused a task (the pool as a whole had room). */
    public static final class TenantBusy extends RejectedExecutionException {
        private static final long serialVersionUID = 1L;

        TenantBusy(String tenant) {
            super("too many snapshots in flight for tenant " + tenant);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a routine refusal
        }
    }

    private final int capacity;
    private final int perTenant;
    private final Object lock = new Object();
    private final LinkedHashMap<String, ArrayDeque<Runnable>> queues = new LinkedHashMap<>(); // round-robin order
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private int queued;
    private boolean shutdown;

    public FairExecutor(String name, int threads, int capacity, int perTenant) {
        this.capacity = capacity;
        this.perTenant = perTenant;
        for (int i = 1; i <= threads; i++) {
            Thread t = new Thread(this::work, name + "-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    /** Runs {@code task} for {@code tenant} when its turn comes; a refused task's future fails (see class doc). */
    public <T> CompletableFuture<T> submit(String tenant, Supplier<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        synchronized (lock) {
            if (shutdown || queued >= capacity) {
                return CompletableFuture.failedFuture(new RejectedExecutionException("snapshot queue full"));
            }
            int mine = inFlight.getOrDefault(tenant, 0);
            if (perTenant > 0 && mine >= perTenant) return CompletableFuture.failedFuture(new TenantBusy(tenant));
            inFlight.put(tenant, mine + 1);
            queues.computeIfAbsent(tenant, t -> new ArrayDeque<>()).add(() -> {
                // the slot is free before the future completes: whoever the future wakes may submit again at once
                T result = null;
                Throwable error = null;
                try {
                    result = task.get();
                } catch (Throwable e) {
                    error = e;
                } finally {
                    done(tenant);
                }
                if (error == null) f.complete(result);
                else f.completeExceptionally(error);
            });
            queued++;
            lock.notify();
        }
        return f;
    }

    private void done(String tenant) {
        synchronized (lock) {
            inFlight.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** The next task: the head of the first tenant's queue, that tenant then going to the back. */
    private Runnable take() throws InterruptedException {
        synchronized (lock) {
            while (queued == 0 && !shutdown) lock.wait();
            if (shutdown) return null;
            Map.Entry<String, ArrayDeque<Runnable>> first =
                    queues.entrySet().iterator().next();
            String tenant = first.getKey();
            ArrayDeque<Runnable> q = queues.remove(tenant);
            Runnable r = q.poll();
            if (!q.isEmpty()) queues.put(tenant, q); // to the back of the round
            queued--;
            return r;
        }
    }

    private void work() {
        while (true) {
            Runnable r;
            try {
                r = take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == null) return;
            r.run();
        }
    }

    /** Tasks waiting for a thread. */
    public int queued() {
        synchronized (lock) {
            return queued;
        }
    }

    /** Whether the queue is full (a new connection would get 503). */
    public boolean saturated() {
        synchronized (lock) {
            return queued >= capacity;
        }
    }

    /** Whether {@code tenant} has its most tasks in flight (its new connections get 429). */
    public boolean saturated(String tenant) {
        synchronized (lock) {
            return perTenant > 0 && inFlight.getOrDefault(tenant, 0) >= perTenant;
        }
    }

    /** Stops the workers; waiting tasks are dropped. */
    public void shutdownNow() {
        synchronized (lock) {
            shutdown = true;
            queues.clear();
            queued = 0;
            lock.notifyAll();
        }
        for (Thread t : workers) t.interrupt();
    }
}
