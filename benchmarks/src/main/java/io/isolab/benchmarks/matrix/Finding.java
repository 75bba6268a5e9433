package io.isolab.benchmarks.matrix;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One cell of the isolation matrix.
 *
 * @param isolated what was measured: true = isolated / enforced / hidden / blocked; {@code null} = not measured
 * @param promised whether the target's declared capabilities promise it
 * @param detail   the evidence, or why it was not measured
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(Boolean isolated, boolean promised, String detail) {

    /** Declared but measured not to hold: the bug the matrix exists to show. */
    public boolean disagrees() {
        return promised && Boolean.FALSE.equals(isolated);
    }

    /** Measured to hold without being declared: not a bug, but the declaration undersells the target. */
    public boolean undeclared() {
        return !promised && Boolean.TRUE.equals(isolated);
    }

    public static Finding measured(boolean isolated, boolean promised, String detail) {
        return new Finding(isolated, promised, detail);
    }

    public static Finding notMeasured(boolean promised, String why) {
        return new Finding(null, promised, why);
    }
}
