package io.isolab.benchmarks.matrix;

import java.util.List;
import java.util.Map;

/**
 * One target's line of the isolation matrix.
 *
 * @param target    target id ({@code host} for the reference row)
 * @param available whether it could run
 * @param reason    why not, or why the probe failed
 * @param declared  its declared capability keys
 * @param findings  one per {@link Property}
 */
public record MatrixRow(String target, boolean available, String reason, List<String> declared,
                        Map<Property, Finding> findings) {

    public MatrixRow {
        declared = declared == null ? List.of() : List.copyOf(declared);
        findings = findings == null ? Map.of() : Map.copyOf(findings);
    }

    /** Every property whose measured value contradicts the declaration. */
    public List<Property> disagreements() {
        return findings.entrySet().stream().filter(e -> e.getValue().disagrees()).map(Map.Entry::getKey).sorted().toList();
    }
}
