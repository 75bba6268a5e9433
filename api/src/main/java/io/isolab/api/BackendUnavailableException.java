package io.isolab.api;

/** A backend cannot run on this host; the message carries the availability probe's reason. */
public class BackendUnavailableException extends IsolabException {
    private static final long serialVersionUID = 1L;
    private final String backendId;
    private final Availability availability;

    public BackendUnavailableException(String backendId, Availability availability) {
        super("backend '" + backendId + "' is unavailable: " + availability.reason()
                + (availability.remedy().isEmpty() ? "" : " (fix: " + availability.remedy() + ")"));
        this.backendId = backendId;
        this.availability = availability;
    }

    public String backendId() {
        return backendId;
    }

    public Availability availability() {
        return availability;
    }
}
