package org.apache.flink.planted;

/** Stands in for any Flink class in {@code ArchitectureTest}'s planted violation. */
public final class FlinkThing {
    public static int answer() {
        return 42;
    }
}
