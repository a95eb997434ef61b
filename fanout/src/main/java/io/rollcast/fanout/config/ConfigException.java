package io.rollcast.fanout.config;

/** A configuration error that stops start-up; its message names the key. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
