package io.isolab.backend.jail.param;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.isolab.api.InvalidSpecException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * FreeBSD's table of jail parameters ({@code jail-parameters.csv}, read with Jackson's CSV module): every
 * parameter the bridge passes to jail(8), and every one a user adds in the settings, is checked here before
 * anything runs, so that an unknown, mistyped or read-only parameter is an error naming it.
 */
public final class JailParameters {
    private static final String RESOURCE = "jail-parameters.csv";
    /** Set by the bridge from the sandbox spec; a user setting them would fight it. */
    private static final Set<String> BRIDGE_OWNED = Set.of("name", "path", "persist", "jid", "host", "host.hostname",
            "vnet", "ip4", "ip6", "enforce_statfs");

    private final Map<String, JailParameter> byName;

    private JailParameters(Map<String, JailParameter> byName) {
        this.byName = byName;
    }

    /** The table shipped with the bridge. */
    public static JailParameters freebsd() {
        return Holder.TABLE;
    }

    public Collection<JailParameter> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /** A parameter by name; {@code meta.<key>} and {@code env.<key>} are keys of the key=value parameters. */
    public Optional<JailParameter> find(String name) {
        JailParameter exact = byName.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        int dot = name.indexOf('.');
        if (dot > 0 && dot < name.length() - 1) {
            JailParameter base = byName.get(name.substring(0, dot));
            if (base != null && base.type() == ParameterType.KEYVALUE) {
                return Optional.of(new JailParameter(name, ParameterType.STRING, base.access(), List.of(), base.source()));
            }
        }
        return Optional.empty();
    }

    /**
     * Checks a parameter the bridge itself sets when it creates a jail, and returns the {@code name=value}
     * word for jail(8).
     *
     * @throws InvalidSpecException naming the parameter when it is unknown, not settable at creation, or the
     *                              value does not fit its type
     */
    public String creationArgument(String name, String value) {
        JailParameter parameter = known(name, name);
        if (parameter.access() == Access.READ) {
            throw new InvalidSpecException(name, "is read-only: jls(8) reports it, nothing sets it");
        }
        if (parameter.access() == Access.PSEUDO) {
            throw new InvalidSpecException(name, "is a jail(8) pseudo-parameter, not passed on by the bridge");
        }
        check(parameter, name, value);
        return name + "=" + value;
    }

    /**
     * Checks a parameter a user adds to every jail (setting {@code parameters}): as {@link #creationArgument},
     * and refusing the parameters the bridge sets itself and jail(8)'s pseudo-parameters, which jail(8) run
     * without a jail.conf could not undo on removal.
     *
     * @param field the settings key for messages, e.g. {@code parameters.allow.raw_sockets}
     */
    public String userArgument(String field, String name, String value) {
        JailParameter parameter = known(field, name);
        if (BRIDGE_OWNED.contains(name)) {
            throw new InvalidSpecException(field, "'" + name + "' is set by the bridge from the sandbox spec");
        }
        if (parameter.access() == Access.READ) {
            throw new InvalidSpecException(field, "'" + name + "' is read-only: jls(8) reports it, nothing sets it");
        }
        if (parameter.access() == Access.PSEUDO) {
            throw new InvalidSpecException(field, "'" + name + "' is a jail(8) pseudo-parameter (" + parameter.source()
                    + "): the bridge runs jail(8) without a jail.conf, so `jail -r` could not undo it");
        }
        check(parameter, field, value);
        return name + "=" + value;
    }

    private JailParameter known(String field, String name) {
        return find(name).orElseThrow(() -> new InvalidSpecException(field,
                "unknown jail parameter '" + name + "'" + suggestion(name)
                        + " (FreeBSD's parameters: sys/kern/kern_jail.c and jail(8))"));
    }

    private static void check(JailParameter parameter, String field, String value) {
        try {
            parameter.checkValue(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(field, parameter.type().key() + " parameter '" + parameter.name() + "' "
                    + e.getMessage());
        }
    }

    private String suggestion(String name) {
        return byName.keySet().stream()
                .min(Comparator.comparingInt(known -> distance(known, name)))
                .filter(closest -> distance(closest, name) <= Math.max(2, name.length() / 4))
                .map(closest -> ": did you mean '" + closest + "'?")
                .orElse("");
    }

    /** Levenshtein distance, for suggesting the parameter a typo meant. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        Arrays.setAll(previous, i -> i);
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** One line of the data file. */
    record Row(String name, String type, String access, String values, String source) {
    }

    static JailParameters load(InputStream csv) throws IOException {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader().withComments();
        Map<String, JailParameter> rows = new LinkedHashMap<>();
        try (MappingIterator<Row> it = mapper.readerFor(Row.class).with(schema).readValues(csv)) {
            while (it.hasNext()) {
                Row row = it.next();
                List<String> values = row.values() == null || row.values().isEmpty()
                        ? List.of() : List.of(row.values().split("\\|"));
                JailParameter parameter = new JailParameter(row.name(), ParameterType.fromKey(row.type()),
                        Access.fromKey(row.access()), values, row.source());
                if (rows.putIfAbsent(parameter.name(), parameter) != null) {
                    throw new IllegalStateException("jail parameter " + parameter.name() + " is listed twice");
                }
            }
        }
        return new JailParameters(rows);
    }

    private static final class Holder {
        static final JailParameters TABLE = loadResource();

        private static JailParameters loadResource() {
            try (InputStream in = JailParameters.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is not packaged next to " + JailParameters.class.getName());
                }
                return load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
        }
    }
}
