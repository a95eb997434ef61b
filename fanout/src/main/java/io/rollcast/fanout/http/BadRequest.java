package io.rollcast.fanout.http;

/** A request refused with a 4xx other than 401/403 (or 503): status, short code, message and maybe Retry-After. */
public final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final int retryAfterSeconds;

    public BadRequest(int status, String code, String message) {
        this(status, code, message, 0);
    }

    /** A refusal telling the client to retry after {@code retryAfterSeconds} (429, 503). */
    public BadRequest(int status, String code, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
