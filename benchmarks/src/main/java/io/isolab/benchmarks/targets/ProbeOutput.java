package io.isolab.benchmarks.targets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The probe's own result in a run's output. */
public final class ProbeOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProbeOutput() {
    }

    /**
     * The last line of {@code stdout} that is a JSON object, or {@code null}. A VM's serial console mixes
     * kernel messages in, and a line may carry a console prefix, so the object is searched within the line.
     */
    public static JsonNode json(String stdout) {
        String[] lines = stdout.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            int brace = line.indexOf("{\"");
            if (brace < 0 || !line.endsWith("}")) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line.substring(brace));
                if (node.isObject()) {
                    return node;
                }
            } catch (IOException e) {
                // only looked like JSON: keep looking
            }
        }
        return null;
    }
}
