package io.rollcast.sinks.redis;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/** A sink writer metric group that remembers the counters a writer registers, so tests can read them. */
final class CountingMetrics {
    private final SinkWriterMetricGroup delegate;
    private final Map<String, Counter> counters;

    CountingMetrics(SinkWriterMetricGroup delegate, Map<String, Counter> counters) {
        this.delegate = delegate;
        this.counters = counters;
    }

    SinkWriterMetricGroup group() {
        return (SinkWriterMetricGroup) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {SinkWriterMetricGroup.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(delegate, args);
                        if (method.getName().equals("counter") && args != null && args[0] instanceof String name) {
                            counters.put(name, (Counter) result);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
