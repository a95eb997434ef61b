package io.rollcast.jobs;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A stateless test sink into a named in-JVM queue (MiniCluster only). Unlike collect sinks it
 * holds no state, so jobs that take or restore savepoints can use it with a fixed uid.
 */
final class QueueSink<T> implements Sink<T> {
    private static final Map<String, Queue<Object>> QUEUES = new ConcurrentHashMap<>();
    private final String name;

    QueueSink(String name) {
        this.name = name;
        QUEUES.put(name, new ConcurrentLinkedQueue<>());
    }

    @SuppressWarnings("unchecked")
    List<T> drain() {
        return (List<T>) List.copyOf(QUEUES.get(name));
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> q = QUEUES.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                q.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
