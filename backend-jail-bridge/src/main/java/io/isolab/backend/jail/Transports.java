package io.isolab.backend.jail;

import io.isolab.backend.jail.transport.LocalTransport;
import io.isolab.backend.jail.transport.SshTransport;
import io.isolab.backend.jail.transport.Transport;

/** The transport the settings ask for. */
final class Transports {

    private Transports() {
    }

    /**
     * @throws io.isolab.backend.jail.transport.TransportException when the host cannot be reached
     * @throws IllegalStateException                               when no host is configured
     */
    static Transport open(JailSettings settings) {
        return switch (settings.mode()) {
            case LOCAL -> new LocalTransport();
            case SSH -> SshTransport.connect(settings.sshTarget());
            case NONE -> throw new IllegalStateException("no FreeBSD host configured");
        };
    }
}
