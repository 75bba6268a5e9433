package io.isolab.backend.jail.parse;

/**
 * One running jail as jls(8) lists it.
 *
 * @param name its name
 * @param jid  its id
 * @param path its root directory
 */
public record JailEntry(String name, int jid, String path) {
}
