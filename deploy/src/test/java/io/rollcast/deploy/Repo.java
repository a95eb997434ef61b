package io.rollcast.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** The repository as the deploy tests see it: paths, the parent pom's versions, the job's config keys and uids. */
final class Repo {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The repository root: the nearest directory up from the working directory whose pom is rollcast-parent. */
    static final Path ROOT = findRoot();

    private static Document parentPom;

    private Repo() {}

    private static Path findRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom)
                        && Files.readString(pom).contains("<artifactId>rollcast-parent</artifactId>")
                        && Files.isDirectory(dir.resolve("deploy"))) {
                    return dir;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException(
                "no rollcast-parent pom.xml above " + Path.of("").toAbsolutePath());
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Element pomRoot() {
        if (parentPom == null) {
            try {
                parentPom = DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(path("pom.xml").toFile());
            } catch (Exception e) {
                throw new IllegalStateException("cannot parse the parent pom.xml", e);
            }
        }
        return parentPom.getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) return e;
        }
        return null;
    }

    /** A property of the parent pom, e.g. flink.version. */
    static String pomProperty(String name) {
        Element props = child(pomRoot(), "properties");
        Element p = props == null ? null : child(props, name);
        if (p == null) throw new IllegalStateException("the parent pom.xml has no property " + name);
        return p.getTextContent().trim();
    }

    /** The project version of the parent pom, e.g. 0.1.0-SNAPSHOT. */
    static String projectVersion() {
        return child(pomRoot(), "version").getTextContent().trim();
    }

    /** The release the version names: 0.1.0-SNAPSHOT -> 0.1.0. */
    static String releaseVersion() {
        return projectVersion().replaceFirst("-SNAPSHOT$", "");
    }

    /** The Flink Kubernetes Operator's FlinkVersion value for flink.version: 2.2.1 -> v2_2. */
    static String operatorFlinkVersion() {
        String[] parts = pomProperty("flink.version").split("\\.");
        return "v" + parts[0] + "_" + parts[1];
    }

    /** The job's config keys, from its option list (the same list that loads and documents them). */
    static Set<String> jobConfigKeys() {
        return new LinkedHashSet<>(io.rollcast.jobs.JobConfig.OPTIONS.keys());
    }

    private static final Pattern UID = Pattern.compile("\\.uid\\(\\s*\"([^\"]+)\"\\s*\\)");

    /** Every operator uid set in the main code of the job's modules: the savepoint contract. */
    static Set<String> operatorUids() {
        Set<String> uids = new TreeSet<>();
        for (String module : List.of("jobs", "operators", "sinks")) {
            Path src = path(module + "/src/main/java");
            if (!Files.isDirectory(src)) continue;
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    Matcher m = UID.matcher(Files.readString(f));
                    while (m.find()) uids.add(m.group(1));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return uids;
    }

    /** The keys of a job config as the job reads them: nested mappings joined with dots; lists are values. */
    static Map<String, String> flatten(JsonNode root) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", root, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key, e.getValue(), out);
            } else {
                out.put(
                        key,
                        e.getValue().isArray()
                                ? e.getValue().toString()
                                : e.getValue().asText());
            }
        }
    }

    static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The value at a path of map keys and list indexes ("0", "1", ...) in parsed YAML, or null when
     * the path does not exist.
     */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... path) {
        Object cur = node;
        for (String step : path) {
            if (cur instanceof Map<?, ?> m) {
                cur = m.get(step);
            } else if (cur instanceof List<?> l && step.matches("\\d+") && Integer.parseInt(step) < l.size()) {
                cur = l.get(Integer.parseInt(step));
            } else {
                return null;
            }
        }
        return (T) cur;
    }

    /** The element of a list of maps whose "name" is {@code name}, or null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> named(Object list, String name) {
        if (!(list instanceof List<?> l)) return null;
        for (Object o : l) {
            if (o instanceof Map<?, ?> m && name.equals(m.get("name"))) return (Map<String, Object>) m;
        }
        return null;
    }

    /** The documents of a multi-document YAML stream, empty documents left out. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (MappingIterator<Object> it = YAML.readerFor(Object.class).readValues(text)) {
            while (it.hasNext()) {
                Object doc = it.next();
                if (doc instanceof Map<?, ?> m) docs.add((Map<String, Object>) m);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }
}
