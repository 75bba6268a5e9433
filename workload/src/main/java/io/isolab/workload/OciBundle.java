package io.isolab.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OCI runtime bundle ({@code config.json} + root directory), as runc and crun take it: isolab uses its
 * root and, when no command is given, its {@code process.args}, {@code process.env} and {@code process.cwd}.
 * Other fields (mounts, namespaces, hooks) are isolab's own business and are ignored.
 *
 * @param rootfs the bundle's {@code root.path}: absolute as given, relative resolved against the bundle
 *               ({@code rootfs} when {@code root} is absent)
 * @param args   {@code process.args}, empty when absent
 * @param env    {@code process.env}, each entry split at its first '=', in order
 * @param cwd    {@code process.cwd}, {@code /} when absent
 */
public record OciBundle(Path rootfs, List<String> args, Map<String, String> env, String cwd) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public OciBundle {
        args = List.copyOf(args);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /**
     * The bundle in {@code dir}, or empty when {@code dir} has no {@code config.json}.
     *
     * @throws IllegalArgumentException when {@code config.json} is not valid JSON or a field isolab uses is
     *                                  malformed; the message names the file and the field
     * @throws UncheckedIOException     when {@code config.json} cannot be read
     */
    public static Optional<OciBundle> detect(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(config.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(config + ": not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config + ": " + e.getMessage(), e);
        }
        return Optional.of(new Parser(config).parse(dir, root));
    }

    /** Reads the fields, naming the one at fault ({@code process.env[2]}) in every error. */
    private record Parser(Path config) {
        OciBundle parse(Path dir, JsonNode root) {
            if (root == null || !root.isObject()) {
                throw bad("(top level)", "must be a JSON object", root);
            }
            JsonNode rootField = optionalObject(root, "root");
            String rootPath = rootField == null ? "rootfs" : string(rootField.get("path"), "root.path");
            if (rootPath.isEmpty()) {
                throw bad("root.path", "must not be empty", rootField.get("path"));
            }
            JsonNode process = optionalObject(root, "process");
            List<String> args = new ArrayList<>();
            Map<String, String> env = new LinkedHashMap<>();
            String cwd = "/";
            if (process != null) {
                List<String> envEntries = new ArrayList<>();
                strings(process.get("args"), "process.args", args);
                strings(process.get("env"), "process.env", envEntries);
                for (int i = 0; i < envEntries.size(); i++) {
                    String entry = envEntries.get(i);
                    int eq = entry.indexOf('=');
                    if (eq <= 0) {
                        throw bad("process.env[" + i + "]", "must be NAME=VALUE", process.get("env").get(i));
                    }
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
                if (process.hasNonNull("cwd")) {
                    cwd = string(process.get("cwd"), "process.cwd");
                    if (!cwd.startsWith("/")) {
                        throw bad("process.cwd", "must be an absolute path", process.get("cwd"));
                    }
                }
            }
            // Path.resolve keeps an absolute root.path as it is, as the OCI spec says.
            return new OciBundle(dir.resolve(rootPath).toAbsolutePath().normalize(), args, env, cwd);
        }

        private JsonNode optionalObject(JsonNode parent, String field) {
            JsonNode node = parent.get(field);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isObject()) {
                throw bad(field, "must be an object", node);
            }
            return node;
        }

        private String string(JsonNode node, String field) {
            if (node == null || !node.isTextual()) {
                throw bad(field, "must be a string", node);
            }
            return node.asText();
        }

        /** The strings of an optional array into {@code out}. */
        private void strings(JsonNode node, String field, List<String> out) {
            if (node == null || node.isNull()) {
                return;
            }
            if (!node.isArray()) {
                throw bad(field, "must be an array of strings", node);
            }
            for (int i = 0; i < node.size(); i++) {
                out.add(string(node.get(i), field + "[" + i + "]"));
            }
        }

        private IllegalArgumentException bad(String field, String problem, JsonNode found) {
            String value = found == null ? "nothing" : found.toString();
            return new IllegalArgumentException(config + ": " + field + ": " + problem
                    + " (found " + (value.length() > 80 ? value.substring(0, 77) + "..." : value) + ")");
        }
    }
}
