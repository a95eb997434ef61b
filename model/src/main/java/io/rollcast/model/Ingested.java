package io.rollcast.model;

/**
 * What the source emits for each Kafka record: exactly one of a valid {@link Event} or a
 * {@link Rejected} record.
 *
 * <p>Parsing happens inside the source so that watermarks are generated per Kafka partition from
 * validated timestamps only: a record with a far-future timestamp must never advance the watermark.
 */
public record Ingested(Event event, Rejected rejected) {

    public static Ingested of(Event event) {
        return new Ingested(event, null);
    }

    public static Ingested of(Rejected rejected) {
        return new Ingested(null, rejected);
    }

    public boolean isValid() {
        return event != null;
    }

    /** The Kafka partition the record was read from. */
    public int partition() {
        return event != null ? event.partition() : rejected.partition();
    }
}
