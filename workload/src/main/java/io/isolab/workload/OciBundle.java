package io.isolab.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OCI runtime bundle ({@code config.json} + root directory), as runc and crun take it: isolab uses its
 * root and, when no command is given, its {@code process.args}, {@code process.env} and {@code process.cwd}.
 *
 * @param rootfs the bundle's {@code root.path}, resolved against the bundle
 * @param args   {@code process.args}
 * @param env    {@code process.env}, split at the first '='
 * @param cwd    {@code process.cwd}, {@code /} when absent
 */
public record OciBundle(Path rootfs, List<String> args, Map<String, String> env, String cwd) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The bundle in {@code dir}, or empty when {@code dir} has no {@code config.json}. */
    public static Optional<OciBundle> detect(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(config.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read OCI bundle config " + config + ": " + e.getMessage(), e);
        }
        String rootPath = root.path("root").path("path").asText("rootfs");
        List<String> args = new ArrayList<>();
        root.path("process").path("args").forEach(a -> args.add(a.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        root.path("process").path("env").forEach(e -> {
            String pair = e.asText();
            int eq = pair.indexOf('=');
            if (eq > 0) {
                env.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        });
        String cwd = root.path("process").path("cwd").asText("/");
        return Optional.of(new OciBundle(dir.resolve(rootPath).toAbsolutePath().normalize(), args, env, cwd));
    }
}
