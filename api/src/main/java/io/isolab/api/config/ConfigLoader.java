package io.isolab.api.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.isolab.api.InvalidSpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads {@link IsolabConfig} from a YAML file with Jackson. Keys are kebab-case; unknown keys and bad
 * values are errors naming the file, the line and the key.
 */
public final class ConfigLoader {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ConfigLoader() {
    }

    /**
     * @throws ConfigException when the file is missing or unreadable, or has an unknown key or a bad value
     */
    public static IsolabConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        return parse(file, text);
    }

    /** Parses YAML text; {@code file} is only used in messages. */
    public static IsolabConfig parse(Path file, String text) {
        YamlText yaml = new YamlText(file, text);
        IsolabConfig config;
        try {
            config = text.isBlank() ? null : MAPPER.readValue(text, IsolabConfig.class);
        } catch (JsonProcessingException e) {
            throw yaml.describe(e, List.of());
        }
        if (config == null) {
            config = IsolabConfig.standard();
        }
        YamlBackendSettings settings = new YamlBackendSettings(yaml);
        settings.ids(); // reject a malformed backends section now, not when a backend first binds it
        return config.withBackendSettings(settings);
    }

    static <S extends Record> S bindEmpty(Class<S> type) {
        try {
            return MAPPER.readValue("{}", type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("settings " + type.getName() + " have no defaults: " + e.getMessage(), e);
        }
    }

    /** The file's text, re-read with the YAML parser to find where a key is, for messages and for binding sections. */
    private record YamlText(Path file, String text) {

        /**
         * A parser positioned on the value of the mapping key at {@code path}, or null when the path is absent.
         * The caller closes it.
         */
        JsonParser locate(List<String> path) {
            JsonParser parser = null;
            try {
                parser = MAPPER.getFactory().createParser(text);
                JsonToken token = parser.nextToken();
                for (String key : path) {
                    if (token != JsonToken.START_OBJECT || !seek(parser, key)) {
                        parser.close();
                        return null;
                    }
                    token = parser.nextToken();
                }
                return parser;
            } catch (JsonProcessingException e) {
                close(parser);
                throw describe(e, List.of());
            } catch (IOException e) {
                close(parser);
                throw new UncheckedIOException(e);
            }
        }

        /** The keys of the mapping at {@code path}, in file order. */
        List<String> keys(List<String> path) {
            List<String> keys = new ArrayList<>();
            try (JsonParser parser = locate(path)) {
                if (parser == null || parser.currentToken() == JsonToken.VALUE_NULL) {
                    return keys;
                }
                if (parser.currentToken() != JsonToken.START_OBJECT) {
                    throw new ConfigException(file, parser.currentTokenLocation().getLineNr(),
                            String.join(".", path) + ": must be a mapping of keys to values");
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    keys.add(parser.currentName());
                    parser.nextToken();
                    parser.skipChildren();
                }
                return keys;
            } catch (JsonProcessingException e) {
                throw describe(e, List.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The line of the key at {@code path}; a dotted last element ({@code parameters.allow.mount}, as a
         * settings record names a map entry) is also tried as nested keys and as a key with dots. Falls back
         * to the nearest enclosing key; 0 when nothing is found.
         */
        int lineOf(List<String> path) {
            for (int keep = path.size(); keep > 0; keep--) {
                List<String> prefix = path.subList(0, keep - 1);
                String last = path.get(keep - 1);
                for (int dot = 0; dot >= 0; dot = last.indexOf('.', dot + 1)) {
                    List<String> candidate = new ArrayList<>(prefix);
                    if (dot > 0) {
                        candidate.add(last.substring(0, dot));
                        candidate.add(last.substring(dot + 1));
                    } else {
                        candidate.add(last);
                    }
                    int line = lineOfExactly(candidate);
                    if (line > 0) {
                        return line;
                    }
                }
            }
            return 0;
        }

        private int lineOfExactly(List<String> path) {
            try (JsonParser parser = locate(path)) {
                return parser == null ? 0 : parser.currentTokenLocation().getLineNr();
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        ConfigException describe(JsonProcessingException e, List<String> prefix) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StreamReadException syntax) {
                    return new ConfigException(file, syntax.getLocation() == null ? 0 : syntax.getLocation().getLineNr(),
                            "not valid YAML: " + syntax.getOriginalMessage().lines()
                                    .filter(l -> !l.isBlank() && !l.startsWith(" in ") && !l.trim().equals("^"))
                                    .map(String::trim).collect(Collectors.joining("; ")));
                }
            }
            List<String> path = new ArrayList<>(prefix);
            if (e instanceof JsonMappingException m) {
                m.getPath().forEach(r -> path.add(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]"));
            }
            if (e instanceof ValueInstantiationException v && v.getCause() instanceof InvalidSpecException bad) {
                path.add(bad.field());
            }
            String key = String.join(".", path).replace(".[", "[");
            String message;
            if (e instanceof UnrecognizedPropertyException u) {
                String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                        .map(String::valueOf).collect(Collectors.toCollection(TreeSet::new)).stream()
                        .collect(Collectors.joining(", ", " (known: ", ")"));
                message = "unknown key '" + key + "'" + known;
            } else if (e instanceof ValueInstantiationException v && v.getCause() instanceof InvalidSpecException bad) {
                message = key + ": " + bad.getMessage().substring(bad.field().length() + 2);
            } else if (e instanceof ValueInstantiationException v && v.getCause() != null) {
                message = (key.isEmpty() ? "" : key + ": ") + v.getCause().getMessage();
            } else {
                message = (key.isEmpty() ? "" : key + ": ") + "bad value: " + firstLine(e.getOriginalMessage());
            }
            int line = lineOf(path.stream().filter(p -> !p.startsWith("[")).toList());
            if (line == 0) {
                JsonLocation location = e.getLocation();
                line = location == null ? 0 : location.getLineNr();
            }
            return new ConfigException(file, line, message);
        }

        private static boolean seek(JsonParser parser, String key) throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                if (parser.currentName().equals(key)) {
                    return true;
                }
                parser.nextToken();
                parser.skipChildren();
            }
            return false;
        }

        private static String firstLine(String s) {
            return s.lines().findFirst().orElse("");
        }

        private static void close(JsonParser parser) {
            try {
                if (parser != null) {
                    parser.close();
                }
            } catch (IOException ignored) {
                // the original error is the one to report
            }
        }
    }

    /** Binds {@code backends.<id>} from the file itself, so that errors keep their lines. */
    private record YamlBackendSettings(YamlText yaml) implements BackendSettings {

        @Override
        public Set<String> ids() {
            return new LinkedHashSet<>(yaml.keys(List.of("backends")));
        }

        @Override
        public <S extends Record> S bind(String backendId, Class<S> type) {
            List<String> path = List.of("backends", backendId);
            try (JsonParser parser = yaml.locate(path)) {
                if (parser == null || parser.currentToken() == JsonToken.VALUE_NULL) {
                    return bindEmpty(type);
                }
                // The section ends where the file goes on: trailing tokens are the rest of the file.
                return MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(parser);
            } catch (JsonProcessingException e) {
                throw yaml.describe(e, path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
