package io.rollcast.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.apache.flink.connector.kafka.source.KafkaSource;

/**
 * The connector's own, unpatched classes, for tests that show a carried patch fixes something: the
 * project's copy of a connector class shadows the connector's on the classpath, so the original is
 * loaded here from the flink-connector-kafka jar, child-first for that class (and its nested
 * classes) only. Everything else comes from the test class loader, so the original works with the
 * same split, state and context types as the patched class.
 */
final class StockConnector {
    private StockConnector() {}

    /** The flink-connector-kafka jar on the test classpath (located through a class not patched). */
    static Path jar() {
        try {
            return Path.of(KafkaSource.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of {@code className} as the connector jar ships it. */
    static byte[] classBytes(String className) {
        try (JarFile jar = new JarFile(jar().toFile());
                InputStream in = jar.getInputStream(jar.getEntry(className.replace('.', '/') + ".class"))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads the connector's own {@code className} (not the project's patched copy). */
    static Class<?> load(String className) {
        try {
            return new ChildFirst(jar().toUri().toURL(), className, StockConnector.class.getClassLoader())
                    .loadClass(className);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot load the connector's " + className, e);
        }
    }

    private static final class ChildFirst extends URLClassLoader {
        private final String className;

        ChildFirst(URL jar, String className, ClassLoader parent) {
            super(new URL[] {jar}, parent);
            this.className = className;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(className) && !name.startsWith(className + "$")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
