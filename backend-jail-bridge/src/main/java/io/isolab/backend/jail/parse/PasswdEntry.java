package io.isolab.backend.jail.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * One user of a jail's {@code /etc/passwd} (passwd(5): {@code name:password:uid:gid:gecos:home:shell}; only
 * the first four fields are used).
 */
public record PasswdEntry(String name, int uid, int gid) {

    /** The users of a passwd file; comments, blank and malformed lines are skipped. */
    public static List<PasswdEntry> parse(String passwd) {
        List<PasswdEntry> users = new ArrayList<>();
        for (String line : passwd.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(":", -1);
            if (fields.length < 4) {
                continue;
            }
            try {
                users.add(new PasswdEntry(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3])));
            } catch (NumberFormatException e) {
                // not a user line
            }
        }
        return users;
    }
}
