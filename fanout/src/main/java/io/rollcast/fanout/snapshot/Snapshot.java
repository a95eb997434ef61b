package io.rollcast.fanout.snapshot;

import io.rollcast.fanout.redis.StreamId;
import io.rollcast.model.WindowRow;
import java.util.List;
import java.util.Map;

/**
 * What a client starts from: one row per window (the highest version seen in the store or in the
 * recent recovery-stream entries), each channel's stream position the rows cover, and the Redis time
 * of the read.
 *
 * @param rows window rows by window start then type (written with the model's {@code RowCodec})
 * @param versions version per window key ({@code event_type|window_start})
 * @param positions per hour channel name: deltas with a stream id after it are newer than the rows
 */
public record Snapshot(
        List<WindowRow> rows, Map<String, Long> versions, Map<String, StreamId> positions, long redisTime) {}
