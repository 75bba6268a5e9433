package io.isolab.api;

/** A spec, limit or setting is malformed; {@link #field()} names it (e.g. {@code limits.memory}). */
public class InvalidSpecException extends IsolabException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidSpecException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
