package io.rollcast.sinks;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test helper: a synthetic changelog shaped like the job's: per window a few early versions with
 * growing counts, a final one, sometimes late corrections; two-decimal event values.
 */
public final class Changelogs {
    public static final long BASE = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private Changelogs() {}

    public static List<WindowRow> generate(long seed, int tenants, int windowsPerKey) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<WindowRow> out = new ArrayList<>();
        String[] types = {"page.view", "click"};
        String[][] specs = {{"tumbling-1m", "60000"}, {"sliding-5m-1m", "300000"}};
        for (int t = 0; t < tenants; t++) {
            String tenant = String.format("tenant-%03d", t);
            for (String type : types) {
                for (String[] spec : specs) {
                    long size = Long.parseLong(spec[1]);
                    for (int w = 0; w < windowsPerKey; w++) {
                        long start = BASE + w * 60_000L;
                        BigDecimal sum = BigDecimal.ZERO;
                        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
                        long count = 0;
                        long emitted = start + 1_000;
                        int early = rnd.nextInt(1, 5), late = rnd.nextInt(4) == 0 ? rnd.nextInt(1, 3) : 0;
                        for (int v = 0; v < early + 1 + late; v++) {
                            int events = rnd.nextInt(1, 4);
                            for (int e = 0; e < events; e++) {
                                double value = rnd.nextInt(-50_000, 100_000) / 100.0;
                                sum = sum.add(new BigDecimal(value));
                                min = Math.min(min, value);
                                max = Math.max(max, value);
                                count++;
                            }
                            Kind kind = v < early ? Kind.EARLY : v == early ? Kind.FINAL : Kind.LATE;
                            emitted += rnd.nextInt(100, 5_000);
                            out.add(new WindowRow(
                                    tenant,
                                    type,
                                    spec[0],
                                    start,
                                    start + size,
                                    count,
                                    sum.doubleValue(),
                                    min,
                                    max,
                                    kind,
                                    WindowRow.version(count, kind != Kind.EARLY),
                                    emitted));
                        }
                    }
                }
            }
        }
        return out;
    }
}
