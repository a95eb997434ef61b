package io.rollcast.fanout.http;

/** A request refused with a 4xx other than 401/403: status, short code and message. */
public final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public BadRequest(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
