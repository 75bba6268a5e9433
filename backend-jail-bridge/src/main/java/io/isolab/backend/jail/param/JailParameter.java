package io.isolab.backend.jail.param;

import java.math.BigInteger;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One row of FreeBSD's table of jail parameters.
 *
 * @param name   e.g. {@code allow.raw_sockets}
 * @param type   its value type
 * @param access when it may be set
 * @param values the accepted values when the kernel restricts them, else empty
 * @param source where in FreeBSD's source the row was read (see the data file's header)
 */
public record JailParameter(String name, ParameterType type, Access access, List<String> values, String source) {
    private static final Pattern IP4 = Pattern.compile(
            "(?:[A-Za-z0-9_.]+\\|)?((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)(/\\d{1,2})?");
    private static final Pattern IP6 = Pattern.compile("(?:[A-Za-z0-9_.]+\\|)?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/\\d{1,3})?");
    private static final BigInteger ULONG_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    public JailParameter {
        values = List.copyOf(values);
    }

    /**
     * Checks a value against the type.
     *
     * @throws IllegalArgumentException saying what is expected
     */
    public void checkValue(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("contains a NUL byte");
        }
        if (!values.isEmpty() && !values.contains(value)) {
            throw new IllegalArgumentException("must be one of " + String.join(", ", values) + " (got '" + value + "')");
        }
        switch (type) {
            case BOOL -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException("is a boolean: true or false (got '" + value + "')");
                }
            }
            case INT -> {
                try {
                    Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("is a 32-bit integer (got '" + value + "')");
                }
            }
            case ULONG -> {
                if (!value.matches("\\d{1,20}") || new BigInteger(value).compareTo(ULONG_MAX) > 0) {
                    throw new IllegalArgumentException("is an unsigned 64-bit integer (got '" + value + "')");
                }
            }
            case IP4_LIST -> checkList(value, IP4, "IPv4 addresses");
            case IP6_LIST -> checkList(value, IP6, "IPv6 addresses");
            default -> {
                // strings, key=value buffers and lists take any text
            }
        }
    }

    private static void checkList(String value, Pattern address, String what) {
        for (String item : value.split(",", -1)) {
            if (!address.matcher(item.strip()).matches()) {
                throw new IllegalArgumentException("is a comma-separated list of " + what + " (got '" + item + "')");
            }
        }
    }
}
