package io.rollcast.fanout.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's files from the jar: {@code /} and {@code /static/*} from {@code web/}, and
 * {@code /webjars/*} from the webjars' {@code META-INF/resources/webjars/}. Cached after the first read.
 */
public final class StaticFiles {
    /** Bytes and content type of one file. */
    public record File(byte[] bytes, String contentType) {}

    private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

    /** The file for a request path, or empty (also for anything with {@code ..} or outside the two roots). */
    public Optional<File> get(String path) {
        if (path.contains("..") || path.contains("//") || path.contains("\\")) return Optional.empty();
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
        return cache.computeIfAbsent(resource, StaticFiles::load);
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
        if (name.endsWith(".svg")) return "image/svg+xml";
        return "application/octet-stream";
    }
}
