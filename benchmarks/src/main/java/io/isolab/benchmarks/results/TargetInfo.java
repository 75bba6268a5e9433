package io.isolab.benchmarks.results;

import java.util.List;
import java.util.Map;

/**
 * A row of the results: what the target is, whether it ran here, what it declares it isolates.
 *
 * @param id          {@code native}, {@code floor}, a backend id or a peer
 * @param kind        {@code baseline}, {@code backend} or {@code peer}
 * @param description how it runs
 * @param available   whether it ran here
 * @param reason      why not
 * @param remedy      what would make it available
 * @param facts       versions, settings, the backend's facts (e.g. {@code domain-type})
 * @param declared    capability keys it declares
 */
public record TargetInfo(String id, String kind, String description, boolean available, String reason, String remedy,
                         Map<String, String> facts, List<String> declared) {

    public TargetInfo {
        facts = facts == null ? Map.of() : Map.copyOf(facts);
        declared = declared == null ? List.of() : List.copyOf(declared);
    }
}
