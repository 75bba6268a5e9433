package io.isolab.backend.jail.transport;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns an argv into one POSIX {@code sh} command line that gives back exactly that argv. SSH carries a
 * command as a single string that the remote user's login shell parses, so every argument is quoted: inside
 * single quotes nothing is special ({@code $}, backquotes, {@code ;}, newlines, backslashes); a single quote
 * itself ends the quoting, is escaped, and quoting starts again ({@code 'it'\''s'}).
 */
public final class ShellQuoting {
    /** Characters no POSIX shell treats specially anywhere in a word, left unquoted for legible logs. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellQuoting() {
    }

    public static String quote(String arg) {
        if (arg.isEmpty()) {
            return "''";
        }
        if (PLAIN.matcher(arg).matches()) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /**
     * The command line for {@code argv}, prefixed with {@code exec} so that the shell replaces itself with
     * the command: the command's own exit status or terminating signal is what the SSH server reports, and a
     * signal sent to the session reaches the command itself.
     */
    public static String commandLine(List<String> argv) {
        return "exec " + argv.stream().map(ShellQuoting::quote).collect(Collectors.joining(" "));
    }
}
