package io.rollcast.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ModelContractsTest {
    private static final long T_2026 = 1_767_225_600_000L; // 2026-01-01T00:00Z

    @Test
    void nameCheckAcceptsExactlyWhatTheContractPatternAccepts() {
        Pattern contract = Pattern.compile(Names.RULE);
        SplittableRandom r = new SplittableRandom(5);
        String alphabet = "aZ09._-/: \u00e9\t@`[{|";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = r.nextInt(70); n > 0; n--) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            String s = b.toString();
            assertThat(Names.isName(s))
                    .as("'%s'", s)
                    .isEqualTo(contract.matcher(s).matches());
        }
        assertThat(Names.isName(null)).isFalse();
        assertThatThrownBy(() -> Names.require("tenant", "a:b")).hasMessage("tenant must match [A-Za-z0-9._-]{1,64}");
    }

    @Test
    void sqlIdentifiersRefuseAnythingThatCouldEndAStatement() {
        assertThat(Identifiers.require("table", "rollups_2")).isEqualTo("rollups_2");
        for (String bad : new String[] {"rollups; DROP TABLE x", "1abc", "a-b", "", "x".repeat(64), "\"q\""}) {
            assertThatThrownBy(() -> Identifiers.require("table", bad)).hasMessageContaining("not an identifier");
        }
    }

    @Test
    void hourNamesMatchTheCalendarAndParseBack() {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyyMMddHH");
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 5_000; i++) {
            long ms = r.nextLong(-3_000_000_000_000L, 4_000_000_000_000L);
            long hour = Channels.hourOf(ms);
            String expected = LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000), 0, ZoneOffset.UTC)
                    .format(f);
            assertThat(Channels.hourName(hour)).isEqualTo(expected);
            assertThat(Channels.parseHour(expected)).isEqualTo(hour);
        }
        assertThat(Channels.hourName(Channels.hourOf(-1))).isEqualTo("1969123123");
        for (String bad : new String[] {"2026023112", "2026010124", "20260101", "2026-01-011", "x026010100"}) {
            assertThatThrownBy(() -> Channels.parseHour(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void channelsAndStreamsAreNamedByTenantSpecAndTheWindowStartsHour() {
        String ch = Channels.channelOfWindow("acme", "sliding-5m-1m", T_2026 + 3_600_000L + 59 * 60_000L);
        assertThat(ch).isEqualTo("rollcast:acme:sliding-5m-1m:2026010101");
        assertThat(new Channels.Namer().channelOfWindow("acme", "sliding-5m-1m", T_2026 + 3_600_000L))
                .isEqualTo(ch);
        assertThat(Channels.stream(ch)).isEqualTo("rollcast:stream:acme:sliding-5m-1m:2026010101");
        assertThatThrownBy(() -> Channels.stream("other:acme")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Channels.hours(T_2026 - 1, T_2026 + 3_600_000L)).hasSize(3);
    }

    @Test
    void keysSplitBackIntoTheirNames() {
        String k = Keys.rollupKey("acme.eu", "page_view");
        assertThat(Keys.tenantOf(k)).isEqualTo("acme.eu");
        assertThat(Keys.typeOf(k)).isEqualTo("page_view");
        assertThat(new Event("e", "acme.eu", "page_view", 1, 1).rollupKey()).isEqualTo(k);
        WindowRow row = row();
        assertThat(row.windowKey()).isEqualTo("acme|click|tumbling-1m|" + T_2026);
        assertThat(row.rollupKey()).isEqualTo("acme|click");
    }

    @Test
    void rowJsonHasTheContractFieldsAndReadsBackBitForBit() throws Exception {
        WindowRow r = new WindowRow(
                "acme",
                "click",
                "tumbling-1m",
                T_2026,
                T_2026 + 60_000,
                3,
                0.1 + 0.2,
                Double.MIN_VALUE,
                1e308,
                Kind.LATE,
                7,
                T_2026 + 61_000);
        byte[] json = RowCodec.rowJson(r);
        JsonNode n = new ObjectMapper().readTree(json);
        assertThat(n.fieldNames())
                .toIterable()
                .containsExactly(
                        "tenant_id",
                        "event_type",
                        "spec",
                        "window_start",
                        "window_end",
                        "count",
                        "sum",
                        "min",
                        "max",
                        "kind",
                        "version",
                        "emitted_at");
        assertThat(n.get("kind").asText()).isEqualTo("late");
        assertThat(RowCodec.readRow(json)).isEqualTo(r);
        assertThatThrownBy(() -> RowCodec.readRow("{\"tenant_id\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deltaJsonHasTheContractFieldsInOrder() {
        WindowDelta d = new WindowDelta(
                "acme",
                "click",
                "tumbling-1m",
                T_2026,
                T_2026 + 60_000,
                Kind.EARLY,
                4,
                2,
                2,
                3.5,
                1,
                2.5,
                1,
                2.5,
                0,
                1.5,
                99);
        assertThat(new String(RowCodec.deltaJson(d), StandardCharsets.UTF_8))
                .isEqualTo("{\"tenant_id\":\"acme\",\"event_type\":\"click\",\"spec\":\"tumbling-1m\",\"window_start\":"
                        + T_2026
                        + ",\"window_end\":" + (T_2026 + 60_000)
                        + ",\"kind\":\"early\",\"version\":4,\"prev_version\":2,"
                        + "\"count\":2,\"sum\":3.5,\"min\":1.0,\"max\":2.5,\"d_count\":1,\"d_sum\":2.5,\"d_min\":0.0,\"d_max\":1.5,"
                        + "\"emitted_at\":99}");
    }

    @Test
    void kindsParseFromTheirCodesOnly() {
        for (Kind k : Kind.values()) assertThat(Kind.of(k.code())).isEqualTo(k);
        assertThatThrownBy(() -> Kind.of("FINAL")).isInstanceOf(IllegalArgumentException.class);
    }

    private static WindowRow row() {
        return new WindowRow(
                "acme", "click", "tumbling-1m", T_2026, T_2026 + 60_000, 1, 1, 1, 1, Kind.EARLY, 2, T_2026);
    }
}
