package io.rollcast.model;

/** Machine-readable reason a record was sent to the dead-letter topic; the code is the contract. */
public enum RejectReason {
    TOO_LARGE("too_large"),
    NOT_JSON("not_json"),
    NOT_OBJECT("not_object"),
    MISSING_FIELD("missing_field"),
    WRONG_TYPE("wrong_type"),
    INVALID_EVENT_ID("invalid_event_id"),
    INVALID_TENANT_ID("invalid_tenant_id"),
    INVALID_EVENT_TYPE("invalid_event_type"),
    INVALID_TIMESTAMP("invalid_timestamp"),
    FUTURE_TIMESTAMP("future_timestamp"),
    NON_FINITE_VALUE("non_finite_value"),
    UNKNOWN_SCHEMA_VERSION("unknown_schema_version");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    /** The stable snake_case code written to the dead-letter record and used as the metric label. */
    public String code() {
        return code;
    }
}
