package io.isolab.backend.hypervisor;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which libvirt domain type runs the guest: hardware virtualization, emulation, or whichever works here. */
public enum DomainType {
    /** {@code kvm} where the host has usable hardware virtualization, else {@code qemu}. */
    AUTO,
    /** KVM: the guest's instructions run on the host CPU. */
    KVM,
    /** QEMU's TCG: every guest instruction is translated; works everywhere, many times slower. */
    QEMU;

    /** The config key, which for {@code KVM} and {@code QEMU} is also libvirt's {@code <domain type>}. */
    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the bad value */
    @JsonCreator
    public static DomainType fromKey(String key) {
        for (DomainType type : values()) {
            if (type.key().equals(key)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown domain type '" + key + "' (known: auto, kvm, qemu)");
    }
}
