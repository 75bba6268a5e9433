package io.isolab.backend.jail.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSch's log, through SLF4J at debug level: JSch reports every step of a connection at INFO, and the failures that
 * matter reach the caller as exceptions anyway.
 */
final class JschLog implements com.jcraft.jsch.Logger {
    private static final Logger LOG = LoggerFactory.getLogger("io.isolab.backend.jail.ssh");

    @Override
    public boolean isEnabled(int level) {
        return level == FATAL ? LOG.isWarnEnabled() : LOG.isDebugEnabled();
    }

    @Override
    public void log(int level, String message) {
        log(level, message, null);
    }

    @Override
    public void log(int level, String message, Throwable cause) {
        if (level == FATAL) {
            LOG.warn(message, cause);
        } else {
            LOG.debug(message, cause);
        }
    }
}
