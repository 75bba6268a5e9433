package io.isolab.backend.hypervisor;

import org.libvirt.Connect;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;

/** Opening libvirt connections and reading libvirt's errors. */
final class LibvirtConnections {
    /** Kept here: native code holds the only other reference to a JNA callback. */
    private static final Libvirt.VirErrorCallback IGNORE = (userData, error) -> { };
    private static volatile boolean quiet;

    private LibvirtConnections() {
    }

    /**
     * Opens a read-write connection. libvirt prints every error to stderr unless an error callback is set;
     * isolab reports errors itself, with their context.
     *
     * @throws LinkageError when libvirt's client library is not installed
     */
    static Connect open(String uri) throws LibvirtException {
        if (!quiet) {
            Connect.setErrorCallback(IGNORE);
            quiet = true;
        }
        return new Connect(uri);
    }

    /** libvirt's own message, without the binding's decoration. */
    static String message(LibvirtException e) {
        Error error = e.getError();
        String message = error == null ? e.getMessage() : error.getMessage();
        return message == null ? String.valueOf(e) : message;
    }

    static boolean isNoDomain(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
    }

    /** "domain is not running" and the like: the operation found nothing to do. */
    static boolean isNotRunning(LibvirtException e) {
        return isNoDomain(e) || e.getError() != null && e.getError().getCode() == Error.ErrorNumber.VIR_ERR_OPERATION_INVALID;
    }

    static String version(long v) {
        return v / 1_000_000 + "." + v / 1000 % 1000 + "." + v % 1000;
    }
}
