package io.isolab.launcher;

/**
 * One line of a user namespace's {@code uid_map} or {@code gid_map}.
 *
 * @param inside  first id inside the namespace
 * @param outside first id it maps to outside
 * @param count   how many consecutive ids
 */
public record IdMapping(long inside, long outside, long count) {

    public IdMapping {
        if (inside < 0 || outside < 0 || count < 1) {
            throw new IllegalArgumentException("bad id mapping " + inside + " " + outside + " " + count);
        }
    }

    String line() {
        return inside + " " + outside + " " + count + "\n";
    }
}
