package io.rollcast.model;

/**
 * A record that failed validation, with everything needed to replay or inspect it later.
 *
 * @param reason why it was rejected
 * @param detail a short human-readable explanation (which field, what was wrong)
 * @param key the original Kafka key bytes, may be null
 * @param value the original Kafka value bytes, untouched
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 */
public record Rejected(
        RejectReason reason,
        String detail,
        byte[] key,
        byte[] value,
        String topic,
        int partition,
        long offset) {}
