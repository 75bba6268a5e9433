package io.isolab.backend.jail.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code jls --libxo=json name jid path}. The shape is jls.c's: a container {@code jail-information}
 * holding a list {@code jail} of one object per jail, whose keys are the parameter names asked for and
 * whose values libxo writes as JSON strings (jls.c prints them with {@code "{a:/%s}"}); the default,
 * parameterless output uses numbers for {@code jid} instead, so both are read. The version key
 * {@code __version} is jls.c's {@code JLS_XO_VERSION}, "2".
 */
public final class JlsParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JlsParser() {
    }

    /**
     * Every jail of the listing; objects lack the keys jls had no value for.
     *
     * @throws IllegalArgumentException when the text is not jls's JSON
     */
    public static List<JsonNode> jails(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not jls JSON output: " + e.getOriginalMessage(), e);
        }
        JsonNode list = root == null ? null : root.path("jail-information").get("jail");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("not jls JSON output (no jail-information.jail list): " + clip(json));
        }
        List<JsonNode> jails = new ArrayList<>();
        list.forEach(jails::add);
        return jails;
    }

    /** The listing of {@code jls --libxo=json name jid path} as entries; jails without a name are skipped. */
    public static List<JailEntry> entries(String json) {
        List<JailEntry> entries = new ArrayList<>();
        for (JsonNode jail : jails(json)) {
            String name = jail.path("name").asText("");
            if (!name.isEmpty()) {
                entries.add(new JailEntry(name, jail.path("jid").asInt(-1), jail.path("path").asText("")));
            }
        }
        return entries;
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
