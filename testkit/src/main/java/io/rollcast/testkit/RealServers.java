package io.rollcast.testkit;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects real, locally started servers: {@link KafkaServer},
 * {@link PostgresServer}, {@link ClickHouseServer}, {@link RedisServer} and a {@link FlinkCluster}.
 *
 * <p>Register it with {@code @ExtendWith(RealServers.class)} or {@code @RegisterExtension} and declare
 * a parameter of a handle type on a test, lifecycle method or constructor. Each server is started the
 * first time any test asks for it, once per test JVM, on free loopback ports, in a directory under
 * {@code ${java.io.tmpdir}/servers} (surefire/failsafe point it at {@code target/}), by the same
 * {@code bin/lib/<server>.sh} scripts as {@code bin/stack}; it is stopped when the test run ends. If a
 * server cannot be started the test fails, naming {@code bin/stack install}; it is never skipped.
 */
public final class RealServers implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealServers.class);

    /** Script name, number of ports and handle factory per injectable type. */
    private record Kind(String script, int ports, Function<ServerProcess, Object> handle) {}

    private static final Map<Class<?>, Kind> KINDS = Map.of(
            KafkaServer.class, new Kind("kafka", 2, KafkaServer::new),
            PostgresServer.class, new Kind("postgres", 1, PostgresServer::new),
            ClickHouseServer.class, new Kind("clickhouse", 2, ClickHouseServer::new),
            RedisServer.class, new Kind("redis", 1, RedisServer::new),
            FlinkCluster.class, new Kind("flink", 7, FlinkCluster::new));

    /** Servers not yet stopped; the shutdown hook stops them if the JUnit store did not. */
    private static final Set<ServerProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(ServerProcess::close), "rollcast-servers-stop"));
    }

    /**
     * Starts a server outside JUnit, for a {@code main} such as a benchmark: the same scripts, ports and
     * directories as for tests; the server is stopped when the JVM exits.
     */
    public static <T> T startForMain(Class<T> type) {
        Kind kind = KINDS.get(type);
        if (kind == null) {
            throw new IllegalArgumentException("not a server handle: " + type.getName());
        }
        ServerProcess process = ServerProcess.start(kind.script(), kind.ports(), Map.of());
        LIVE.add(process);
        return type.cast(kind.handle().apply(process));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return KINDS.containsKey(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        Started started = context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(type, t -> start(KINDS.get(type)), Started.class);
        if (started.failure != null) {
            throw new ParameterResolutionException(started.failure);
        }
        return type.cast(started.handle);
    }

    private static Started start(Kind kind) {
        try {
            ServerProcess process = ServerProcess.start(kind.script(), kind.ports(), Map.of());
            LIVE.add(process);
            return new Started(process, kind.handle().apply(process), null);
        } catch (RuntimeException e) {
            // Remembered, so that every test asking for this server fails fast with the same message.
            return new Started(null, null, e.getMessage());
        }
    }

    /** A started server (or why it could not start), closed by JUnit when the root context ends. */
    private record Started(ServerProcess process, Object handle, String failure)
            implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            if (process != null) {
                process.close();
                LIVE.remove(process);
            }
        }
    }
}
