package io.rollcast.fanout.auth;

/** A refused request: HTTP status 401 (who are you) or 403 (not yours), a short code and a message. */
public final class AuthException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public AuthException(int status, String code, String message) {
        super(message, null, false, false); // no stack trace: refusals are routine
        this.status = status;
        this.code = code;
    }

    static AuthException unauthorized(String message) {
        return new AuthException(401, "invalid_token", message);
    }

    static AuthException forbidden(String message) {
        return new AuthException(403, "forbidden", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
