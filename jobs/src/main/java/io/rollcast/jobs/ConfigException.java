package io.rollcast.jobs;

/** Bad or unknown configuration; the message names the key. Start-up stops with it. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
