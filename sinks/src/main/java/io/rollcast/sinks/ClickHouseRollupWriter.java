package io.rollcast.sinks;

import io.rollcast.model.WindowRow;
import io.rollcast.store.ClickHouseHttp;
import io.rollcast.store.ClickHouseRowBinary;
import io.rollcast.store.RollupTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.SimpleBatchCreator;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends batches of rows to ClickHouse as {@code INSERT ... FORMAT RowBinary} (rows encoded by
 * {@link ClickHouseRowBinary}) with {@link ClickHouseHttp#sendAsync}; retries 5xx
 * responses and I/O errors with exponential backoff (the batch goes back to the head of the
 * buffer), and fails the job at once on a 4xx response, quoting the server's message.
 *
 * <p>A retry is scheduled, not immediate: until it fires the request still counts as in flight, so
 * an unreachable server back-pressures the job instead of spinning. After
 * {@link ClickHouseSettings#maxRetries()} consecutive failures the job fails and Flink's restart
 * strategy takes over.
 */
final class ClickHouseRollupWriter extends AsyncSinkWriter<WindowRow, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseRollupWriter.class);

    private final ClickHouseSettings settings;
    private final String insertSql;
    private final ClickHouseHttp http;
    private final ScheduledExecutorService retryTimer;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();

    ClickHouseRollupWriter(
            ElementConverter<WindowRow, byte[]> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration config,
            Collection<BufferedRequestState<byte[]>> state,
            ClickHouseSettings settings) {
        super(
                converter,
                context,
                config,
                state,
                new SimpleBatchCreator<>(config.getMaxBatchSizeInBytes()),
                new DequeRequestBuffer<>());
        this.settings = settings;
        this.insertSql = RollupTable.clickHouseInsert(settings.table());
        this.http = new ClickHouseHttp(settings.endpoint());
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "clickhouse-sink-retry");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    protected void submitRequestEntries(List<byte[]> rows, ResultHandler<byte[]> result) {
        http.sendAsync(insertSql, body(rows), Duration.ofMillis(settings.requestTimeoutMs()))
                .whenComplete((response, error) -> {
                    if (error != null) {
                        Throwable cause =
                                error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                        ? error.getCause()
                                        : error;
                        retry(rows, result, "I/O error: " + cause);
                    } else if (response.statusCode() == 200) {
                        consecutiveFailures.set(0);
                        result.complete();
                    } else if (Responses.isClientError(response.statusCode())) {
                        result.completeExceptionally(new ClickHouseSinkException(String.format(
                                "ClickHouse rejected an insert of %d rows into %s (HTTP %d, not retried): %s",
                                rows.size(),
                                settings.table(),
                                response.statusCode(),
                                Responses.trim(response.body()))));
                    } else {
                        retry(rows, result, "HTTP " + response.statusCode() + ": " + Responses.trim(response.body()));
                    }
                });
    }

    private void retry(List<byte[]> rows, ResultHandler<byte[]> result, String why) {
        int failures = consecutiveFailures.incrementAndGet();
        if (failures > settings.maxRetries()) {
            result.completeExceptionally(new ClickHouseSinkException(String.format(
                    "ClickHouse insert into %s failed %d times in a row, giving up (the job restarts): %s",
                    settings.table(), failures, why)));
            return;
        }
        long backoff = Responses.backoffMs(failures);
        LOG.warn(
                "ClickHouse insert of {} rows into {} failed (attempt {} of {}), retrying in {} ms: {}",
                rows.size(),
                settings.table(),
                failures,
                settings.maxRetries() + 1,
                backoff,
                why);
        retryTimer.schedule(() -> result.retryForEntries(rows), backoff, TimeUnit.MILLISECONDS);
    }

    /** RowBinary rows are self-delimiting: the body is their concatenation. */
    private static byte[] body(List<byte[]> rows) {
        int size = 0;
        for (byte[] r : rows) size += r.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        for (byte[] r : rows) out.writeBytes(r);
        return out.toByteArray();
    }

    @Override
    protected long getSizeInBytes(byte[] row) {
        return row.length;
    }

    @Override
    public void close() {
        retryTimer.shutdownNow();
        super.close();
    }

    /** Classification of responses and the retry backoff; separate for unit tests. */
    static final class Responses {
        private Responses() {}

        /** A 4xx answer means the request itself is wrong: retrying cannot help (except 408 and 429). */
        static boolean isClientError(int status) {
            return status >= 400 && status < 500 && status != 408 && status != 429;
        }

        static long backoffMs(int failures) {
            long b = ClickHouseSettings.FIRST_BACKOFF_MS << Math.min(failures - 1, 20);
            return Math.min(b, ClickHouseSettings.MAX_BACKOFF_MS);
        }

        static String trim(String body) {
            String b = body == null ? "" : body.strip();
            return b.length() > 2000 ? b.substring(0, 2000) + "..." : b;
        }
    }

    /** A failed or rejected insert; its message carries the server's answer. */
    static final class ClickHouseSinkException extends IOException {
        private static final long serialVersionUID = 1L;

        ClickHouseSinkException(String message) {
            super(message);
        }
    }
}
