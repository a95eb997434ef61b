package io.rollcast.fanout.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The snapshot pool's fair queue: round-robin across tenants, bounded in all and per tenant. */
class FairExecutorTest {

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(5, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("not done", e);
        }
    }

    @Test
    void aTenantWithAThousandQueuedReadsDelaysAnotherTenantsNextByOneTurn() throws Exception {
        FairExecutor pool = new FairExecutor("test", 1, 10_000, 0);
        try {
            CountDownLatch hold = new CountDownLatch(1);
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            pool.submit("big", () -> {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            List<CompletableFuture<Object>> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) all.add(pool.submit("big", () -> order.add("big")));
            all.add(pool.submit("small", () -> order.add("small")));
            all.add(pool.submit("other", () -> order.add("other")));
            hold.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(order.indexOf("small")).as("served in the first round").isLessThanOrEqualTo(1);
            assertThat(order.indexOf("other")).isLessThanOrEqualTo(2);
            assertThat(order).hasSize(1002);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTenantAtItsBoundIsRefusedWhileOthersAreAdmittedAndAdmittedAgainOnceItsReadsEnd() throws Exception {
        FairExecutor pool = new FairExecutor("test", 1, 100, 3);
        try {
            CountDownLatch hold = new CountDownLatch(1);
            List<CompletableFuture<Integer>> a = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                a.add(pool.submit("a", () -> {
                    try {
                        hold.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return n;
                }));
            }
            assertThat(pool.saturated("a")).isTrue();
            assertThat(failure(pool.submit("a", () -> 9))).isInstanceOf(FairExecutor.TenantBusy.class);
            CompletableFuture<Integer> b = pool.submit("b", () -> 7);
            assertThat(pool.saturated("b")).isFalse();
            hold.countDown();
            assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(7);
            for (CompletableFuture<Integer> f : a) f.get(5, TimeUnit.SECONDS);
            assertThat(pool.saturated("a")).isFalse();
            assertThat(pool.submit("a", () -> 8).get(5, TimeUnit.SECONDS)).isEqualTo(8);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFullQueueRefusesEveryTenantWithoutThrowingToTheCaller() throws Exception {
        FairExecutor pool = new FairExecutor("test", 1, 2, 0);
        try {
            CountDownLatch hold = new CountDownLatch(1);
            pool.submit("a", () -> {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            });
            long end = System.currentTimeMillis() + 5_000;
            while (pool.queued() > 0 && System.currentTimeMillis() < end) Thread.sleep(5); // the thread took it
            pool.submit("a", () -> 1);
            pool.submit("b", () -> 2);
            assertThat(pool.saturated()).isTrue();
            Throwable refused = failure(pool.submit("c", () -> 3));
            assertThat(refused)
                    .isInstanceOf(RejectedExecutionException.class)
                    .isNotInstanceOf(FairExecutor.TenantBusy.class);
            hold.countDown();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingReadFailsItsFutureAndFreesItsSlot() throws Exception {
        FairExecutor pool = new FairExecutor("test", 2, 10, 1);
        try {
            // many rounds: the slot must be free by the time the failed future wakes its caller (it once was freed
            // just after, and an immediate resubmit was refused as TenantBusy now and then)
            for (int i = 0; i < 500; i++) {
                Throwable t = failure(pool.submit("a", () -> {
                    throw new IllegalStateException("store down");
                }));
                assertThat(t).isInstanceOf(IllegalStateException.class);
                assertThat(pool.submit("a", () -> 1).get(5, TimeUnit.SECONDS)).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
