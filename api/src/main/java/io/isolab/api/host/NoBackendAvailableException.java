package io.isolab.api.host;

import io.isolab.api.IsolabException;
import java.util.List;

/** No backend qualifies for a selection; the message lists every candidate with the reason it was passed over. */
public class NoBackendAvailableException extends IsolabException {
    private static final long serialVersionUID = 1L;
    private final List<String> reasons;

    public NoBackendAvailableException(String what, List<String> reasons) {
        super("no backend available " + what + ":\n  " + String.join("\n  ", reasons));
        this.reasons = List.copyOf(reasons);
    }

    /** One line per candidate: {@code id: reason}. */
    public List<String> reasons() {
        return reasons;
    }
}
