package io.rollcast.config;

/** Bad configuration: an unknown key or a bad value. The message names the key; start-up stops. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
