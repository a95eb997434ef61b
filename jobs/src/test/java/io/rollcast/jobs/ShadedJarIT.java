package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar (built in {@code package}, before this IT) carries the project's patched copies
 * of connector classes, once each, and not the connector's: every class under
 * {@code org/apache/flink} in {@code target/classes} is in the jar exactly once with the project's
 * bytes, which differ from the connector jar's.
 */
class ShadedJarIT {
    static final Path JAR = Path.of("target/rollcast-jobs.jar");
    static final Path CLASSES = Path.of("target/classes");

    @Test
    void theShadedJarHoldsThePatchedConnectorClassesInsteadOfTheConnectorsOwn() throws Exception {
        List<String> patched;
        try (Stream<Path> files = Files.walk(CLASSES.resolve("org/apache/flink"))) {
            patched = files.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> CLASSES.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }
        assertThat(patched)
                .contains(
                        "org/apache/flink/connector/kafka/source/reader/KafkaPartitionSplitReader.class",
                        "org/apache/flink/connector/kafka/source/enumerator/KafkaSourceEnumerator.class");

        Map<String, List<byte[]>> inJar = new HashMap<>();
        assertThat(JAR)
                .as("run `mvn -pl jobs -am verify` (package builds the shaded jar)")
                .exists();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(JAR))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (patched.contains(e.getName())) {
                    inJar.computeIfAbsent(e.getName(), k -> new ArrayList<>()).add(zip.readAllBytes());
                }
            }
        }
        for (String entry : patched) {
            byte[] ours = Files.readAllBytes(CLASSES.resolve(entry));
            assertThat(inJar.get(entry)).as(entry + " in the shaded jar").hasSize(1);
            assertThat(inJar.get(entry).get(0))
                    .as(entry + " is the project's copy")
                    .isEqualTo(ours);
            String className =
                    entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
            if (connectorHas(entry)) {
                assertThat(ours)
                        .as(entry + " differs from the connector's")
                        .isNotEqualTo(StockConnector.classBytes(className));
            }
        }
    }

    static boolean connectorHas(String entry) throws Exception {
        try (var jar = new JarFile(StockConnector.jar().toFile())) {
            return jar.getEntry(entry) != null;
        }
    }
}
