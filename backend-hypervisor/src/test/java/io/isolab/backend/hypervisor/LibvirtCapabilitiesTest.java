package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class LibvirtCapabilitiesTest {
    /** The relevant parts of libvirt 9.0's capabilities on a host with /dev/kvm. */
    private static final String XML = """
            <capabilities>
              <host>
                <secmodel><model>none</model><doi>0</doi></secmodel>
                <secmodel>
                  <model>dac</model><doi>0</doi>
                  <baselabel type='kvm'>+64055:+107</baselabel>
                  <baselabel type='qemu'>+64055:+64055</baselabel>
                </secmodel>
              </host>
              <guest>
                <os_type>hvm</os_type>
                <arch name='i686'><domain type='qemu'/><domain type='kvm'/></arch>
              </guest>
              <guest>
                <os_type>hvm</os_type>
                <arch name='x86_64'>
                  <emulator>/usr/bin/qemu-system-x86_64</emulator>
                  <domain type='qemu'/>
                  <domain type='kvm'/>
                </arch>
              </guest>
            </capabilities>
            """;

    @Test
    void readsTheDomainTypesAndWhoQemuRunsAs() {
        LibvirtCapabilities caps = LibvirtCapabilities.parse(XML);
        assertEquals(Set.of("qemu", "kvm"), caps.domainTypes());
        assertEquals(new LibvirtCapabilities.DacLabel(64055, 107), caps.dacLabel("kvm"));
        assertEquals("+64055:+64055", caps.dacLabel("qemu").toString());
    }

    @Test
    void offersOnlyWhatTheHostLists() {
        LibvirtCapabilities caps = LibvirtCapabilities.parse(XML.replace("<domain type='kvm'/>\n", ""));
        assertEquals(Set.of("qemu"), caps.domainTypes());
    }
}
