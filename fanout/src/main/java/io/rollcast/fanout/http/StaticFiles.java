package io.rollcast.fanout.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's files from the jar: {@code /} and {@code /static/*} from {@code web/}, and
 * {@code /webjars/*} from the webjars' {@code META-INF/resources/webjars/}. A file that exists is
 * cached after the first read; a missing one is not (requests for random paths are unauthenticated,
 * so caching misses would grow the map without bound), so the cache never holds more than the jar's files.
 */
public final class StaticFiles {
    /** Bytes and content type of one file. */
    public record File(byte[] bytes, String contentType) {}

    /** Far above the files the jar serves; a cap in case a class path ever resolves one file under many names. */
    static final int MAX_CACHED = 256;

    private final Map<String, File> cache = new ConcurrentHashMap<>();

    /** The file for a request path, or empty (also for anything with {@code ..} or outside the two roots). */
    public Optional<File> get(String path) {
        if (path.contains("..") || path.contains("//") || path.contains("\\")) return Optional.empty();
        // one name per file: "/static/./app.js" or "/static/app.js/" resolve on a directory class path (target/classes)
        if (path.contains("/./") || path.endsWith("/.") || (path.length() > 1 && path.endsWith("/")))
            return Optional.empty();
        String resource;
        if (path.equals("/") || path.equals("/index.html")) {
            resource = "web/index.html";
        } else if (path.startsWith("/static/")) {
            resource = "web/" + path.substring("/static/".length());
        } else if (path.startsWith("/webjars/")) {
            resource = "META-INF/resources/webjars/" + path.substring("/webjars/".length());
        } else {
            return Optional.empty();
        }
        File cached = cache.get(resource);
        if (cached != null) return Optional.of(cached);
        Optional<File> loaded = load(resource);
        if (loaded.isPresent() && cache.size() < MAX_CACHED) cache.putIfAbsent(resource, loaded.get());
        return loaded;
    }

    /** Entries held by the cache (for tests). */
    int cachedEntries() {
        return cache.size();
    }

    private static Optional<File> load(String resource) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) return Optional.empty();
            return Optional.of(new File(in.readAllBytes(), type(resource)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String type(String name) {
        if (name.endsWith(".html")) return "text/html; charset=utf-8";
        if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
        if (name.endsWith(".css")) return "text/css; charset=utf-8";
        if (name.endsWith(".json") || name.endsWith(".map")) return "application/json";
        if (name.endsWith(".yaml")) return "application/yaml; charset=utf-8";
        if (name.endsWith(".svg")) return "image/svg+xml";
        return "application/octet-stream";
    }
}
