package io.rollcast.model.planted;

import org.apache.flink.planted.FlinkThing;

/** A planted violation: a class in the model's packages that uses a Flink class. */
public final class ReachesForFlink {
    public static int use() {
        return FlinkThing.answer();
    }
}
