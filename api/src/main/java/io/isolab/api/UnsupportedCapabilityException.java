package io.isolab.api;

/** A backend was asked for a capability it does not declare; thrown before anything is created. */
public class UnsupportedCapabilityException extends IsolabException {
    private static final long serialVersionUID = 1L;
    private final String backendId;
    private final Capability capability;

    public UnsupportedCapabilityException(String backendId, Capability capability, String askedBy) {
        super("backend '" + backendId + "' does not support " + capability.key() + " (" + capability.description()
                + "), asked for by " + askedBy);
        this.backendId = backendId;
        this.capability = capability;
    }

    public String backendId() {
        return backendId;
    }

    public Capability capability() {
        return capability;
    }
}
