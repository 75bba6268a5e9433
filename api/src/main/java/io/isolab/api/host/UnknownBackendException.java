package io.isolab.api.host;

import io.isolab.api.IsolabException;
import java.util.Collection;

/** A backend id that no loaded plugin provides. */
public class UnknownBackendException extends IsolabException {
    private static final long serialVersionUID = 1L;

    public UnknownBackendException(String id, String where, Collection<String> known) {
        super("unknown backend '" + id + "'" + (where.isEmpty() ? "" : " in " + where) + " (installed: "
                + (known.isEmpty() ? "none: is the plugins directory right?" : String.join(", ", known)) + ")");
    }
}
