package io.isolab.backend.linuxns.cgroup;

import io.isolab.api.IsolabException;

/** A cgroup operation failed; the message names the file or directory and what the kernel said. */
public class CgroupException extends IsolabException {
    private static final long serialVersionUID = 1L;

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
