package io.rollcast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowStats;
import org.junit.jupiter.api.Test;

class PostgresCopyTest {
    static final long T = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    @Test
    void aRowIsOneLineOfTwentyTabSeparatedFieldsWithNullsForAbsentStats() {
        StringBuilder b = new StringBuilder();
        PostgresCopy.append(
                b,
                new WindowRow(
                        "acme",
                        "page.view",
                        "tumbling-1m",
                        T,
                        T + 60_000,
                        3,
                        0.1,
                        -0.0,
                        1e300,
                        Kind.FINAL,
                        7,
                        T + 61_000));
        assertThat(b.toString())
                .isEqualTo(
                        "acme\tpage.view\ttumbling-1m\t2026-01-01T00:00:00Z\t2026-01-01T00:01:00Z\t3\t0.1\t-0.0\t1.0E300"
                                + "\tfinal\t7\t2026-01-01T00:01:01Z\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n");
    }

    @Test
    void statsAreArraysHexByteaAndBooleansAsCopyReadsThem() {
        WindowStats s = new WindowStats(
                new double[] {0.5, 0.99},
                new double[] {2.0, Double.NaN},
                new byte[] {0x0a, (byte) 0xff},
                42,
                new byte[] {1},
                new WindowStats.Anomaly(-3.5, 10.0, true));
        StringBuilder b = new StringBuilder();
        PostgresCopy.append(
                b, new WindowRow("t", "x", "sliding-5m-1m", T, T + 300_000, 1, 1, 1, 1, Kind.LATE, 3, T, s));
        String[] f = b.toString().split("\t", -1);
        assertThat(f).hasSize(20);
        assertThat(f[12]).isEqualTo("{0.5,0.99}");
        assertThat(f[13]).isEqualTo("{2.0,NaN}");
        assertThat(f[14]).isEqualTo("\\\\x0aff"); // \x0aff with its backslash escaped for COPY
        assertThat(f[15]).isEqualTo("42");
        assertThat(f[16]).isEqualTo("\\\\x01");
        assertThat(f[17] + " " + f[18] + " " + f[19]).isEqualTo("-3.5 10.0 t\n");
    }

    @Test
    void textFieldsEscapeWhatCopyWouldReadAsSeparators() {
        assertThat(PostgresCopy.text(new StringBuilder(), "a\tb\nc\\d\re").toString())
                .isEqualTo("a\\tb\\nc\\\\d\\re");
    }

    @Test
    void theMergeKeepsTheVersionGuardAndOnlyValidatedTableNamesAreSplicedIn() {
        assertThat(PostgresCopy.merge("rollups"))
                .startsWith("INSERT INTO rollups AS r (tenant_id,")
                .contains(" FROM rollcast_staging ON CONFLICT (tenant_id, spec, window_start, event_type) DO UPDATE")
                .endsWith("WHERE r.version < EXCLUDED.version");
        assertThatThrownBy(() -> PostgresCopy.merge("rollups; drop table x")).hasMessageContaining("not an identifier");
        assertThatThrownBy(() -> PostgresCopy.createStaging("a b")).hasMessageContaining("not an identifier");
    }
}
