package io.rollcast.model;

/**
 * A record that failed validation, with everything needed to replay or inspect it later. Its dedup
 * key is ({@code topic}, {@code partition}, {@code offset}): a restart may write a dead letter again,
 * never a different one for the same position.
 *
 * @param reason why it was rejected
 * @param detail a short human-readable explanation (which field, what was wrong)
 * @param key the original Kafka key bytes, may be null; truncated when {@code keyTruncated}
 * @param value the original Kafka value bytes, untouched; truncated when {@code valueTruncated}
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 * @param original size and SHA-256 of the original key and value when either was truncated to fit
 *     the dead-letter producer's request size, else null
 */
public record Rejected(
        RejectReason reason,
        String detail,
        byte[] key,
        byte[] value,
        String topic,
        int partition,
        long offset,
        Truncation original) {

    public Rejected(
            RejectReason reason, String detail, byte[] key, byte[] value, String topic, int partition, long offset) {
        this(reason, detail, key, value, topic, partition, offset, null);
    }

    /** The original sizes and hashes of a truncated dead letter (a hash is null when that part was kept whole). */
    public record Truncation(int keyBytes, String keySha256, int valueBytes, String valueSha256) {}
}
