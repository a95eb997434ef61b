package io.rollcast.fanout.range;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** The bodies of {@code GET /v1/rollups}: JSON (the changelog's row objects) or CSV. */
public final class RangeEncoding {
    private static final JsonFactory JSON = new JsonFactory();

    /** The CSV header; times in RFC 3339 UTC, quantiles as {@code level=value} pairs joined by {@code ;}. */
    public static final String CSV_HEADER = "tenant_id,event_type,spec,window_start,window_end,count,sum,min,max,kind,"
            + "version,emitted_at,quantiles,distinct,anomaly_score,anomaly_flagged\n";

    private RangeEncoding() {}

    /**
     * {@code {"tenant","spec","event_type","from","to","rows":[...],"next_page_token":...|null,
     * "sources":{"hot":n,"cold":n}}}.
     */
    public static byte[] json(RangeService.Request q, RangeService.Page page) {
        ByteArrayOutputStream bytes =
                new ByteArrayOutputStream(256 + 300 * page.rows().size());
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("tenant", q.tenant());
            g.writeStringField("spec", q.spec());
            if (q.eventType().isPresent())
                g.writeStringField(RowCodec.EVENT_TYPE, q.eventType().get());
            else g.writeNullField(RowCodec.EVENT_TYPE);
            g.writeNumberField("from", q.from());
            g.writeNumberField("to", q.to());
            g.writeArrayFieldStart("rows");
            for (WindowRow r : page.rows()) RowCodec.writeRow(g, r);
            g.writeEndArray();
            if (page.next() != null)
                g.writeStringField("next_page_token", page.next().encode());
            else g.writeNullField("next_page_token");
            g.writeObjectFieldStart("sources");
            g.writeNumberField("hot", page.hotRows());
            g.writeNumberField("cold", page.coldRows());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The header line and one line per row; the next page's token goes in a response header. */
    public static byte[] csv(RangeService.Page page) {
        StringBuilder b =
                new StringBuilder(CSV_HEADER.length() + 160 * page.rows().size());
        b.append(CSV_HEADER);
        for (WindowRow r : page.rows()) {
            b.append(r.tenantId()).append(',');
            b.append(r.eventType()).append(',');
            b.append(r.spec()).append(',');
            b.append(Instant.ofEpochMilli(r.windowStart())).append(',');
            b.append(Instant.ofEpochMilli(r.windowEnd())).append(',');
            b.append(r.count()).append(',');
            b.append(r.sum()).append(',');
            b.append(r.min()).append(',');
            b.append(r.max()).append(',');
            b.append(r.kind().code()).append(',');
            b.append(r.version()).append(',');
            b.append(Instant.ofEpochMilli(r.emittedAt())).append(',');
            WindowStats s = r.stats();
            if (s != null && s.hasQuantiles()) {
                for (int i = 0; i < s.quantileLevels().length; i++) {
                    if (i > 0) b.append(';');
                    b.append(s.quantileLevels()[i]).append('=').append(s.quantiles()[i]);
                }
            }
            b.append(',');
            if (s != null && s.hasDistinct()) b.append(s.distinct());
            b.append(',');
            if (s != null && s.anomaly() != null) b.append(s.anomaly().score());
            b.append(',');
            if (s != null && s.anomaly() != null) b.append(s.anomaly().flagged());
            b.append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
