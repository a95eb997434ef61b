package io.rollcast.fanout.snapshot;

import io.rollcast.fanout.redis.DeltaMessage;
import io.rollcast.fanout.redis.StreamId;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a resume: the stream entries after the client's positions (in stream order per
 * channel) and the new positions, or {@link #gap} when entries after a position are gone.
 */
public record Replay(
        boolean gap, String reason, List<DeltaMessage> entries, Map<String, StreamId> positions, long redisTime) {
    static Replay gap(String reason) {
        return new Replay(true, reason, List.of(), Map.of(), 0);
    }
}
