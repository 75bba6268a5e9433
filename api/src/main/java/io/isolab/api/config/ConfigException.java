package io.isolab.api.config;

import io.isolab.api.IsolabException;
import java.nio.file.Path;

/**
 * A config file is missing, unreadable, or has an unknown key or a bad value. The message names the file,
 * the line where the parser knows it, and the key.
 */
public class ConfigException extends IsolabException {
    private static final long serialVersionUID = 1L;

    public ConfigException(Path file, int line, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message);
    }

    public ConfigException(String message) {
        super(message);
    }
}
