package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class DomainXmlTest {

    private static Document parse(DomainXml domain) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(domain.toXml())));
    }

    @Test
    void describesTheSandboxAndNothingElse() throws Exception {
        DomainXml domain = new DomainXml("isolab-hypervisor-0123456789", "qemu", 128L << 20, 2, "pc",
                Path.of("/cache/vmlinuz"), Path.of("/cache/i.cpio"), "console=ttyS0 rdinit=/isolab/init", Path.of("/state/io.sock"),
                Path.of("/state/console.log"), "+64055:+64055");
        Document doc = parse(domain);
        XPath x = XPathFactory.newInstance().newXPath();
        assertEquals("qemu", x.evaluate("/domain/@type", doc));
        assertEquals("isolab-hypervisor-0123456789", x.evaluate("/domain/name", doc));
        assertEquals("131072", x.evaluate("/domain/memory", doc));
        assertEquals("2", x.evaluate("/domain/vcpu", doc));
        assertEquals("/cache/vmlinuz", x.evaluate("/domain/os/kernel", doc));
        assertEquals("/cache/i.cpio", x.evaluate("/domain/os/initrd", doc));
        assertEquals("console=ttyS0 rdinit=/isolab/init", x.evaluate("/domain/os/cmdline", doc));
        assertEquals("destroy", x.evaluate("/domain/on_reboot", doc));
        assertEquals("", x.evaluate("/domain/features", doc), "no ACPI: the guest ends by a triple-fault reboot");
        assertEquals("none", x.evaluate("/domain/devices/controller[@type='usb']/@model", doc));
        assertEquals("none", x.evaluate("/domain/devices/memballoon/@model", doc));
        assertEquals("connect", x.evaluate("/domain/devices/channel/source/@mode", doc));
        assertEquals("/state/io.sock", x.evaluate("/domain/devices/channel/source/@path", doc));
        assertEquals(GuestProtocol.PORT_NAME, x.evaluate("/domain/devices/channel/target/@name", doc));
        assertEquals("no", x.evaluate("/domain/seclabel/@relabel", doc));
        assertEquals("+64055:+64055", x.evaluate("/domain/seclabel/label", doc));
        assertEquals("0", x.evaluate("count(/domain/devices/disk | /domain/devices/interface | /domain/devices/graphics)", doc));
        assertEquals("qemu64", x.evaluate("/domain/cpu/model", doc), "named, so that a raw QEMU can be given the same");
        assertEquals(DomainXml.qemuCpu("qemu"), x.evaluate("/domain/cpu/model", doc));
        assertEquals(String.valueOf(DomainXml.SERIAL_PORTS),
                x.evaluate("/domain/devices/controller[@type='virtio-serial']/@ports", doc));
    }

    @Test
    void passesTheHostCpuThroughUnderKvm() throws Exception {
        DomainXml domain = new DomainXml("n", "kvm", 64L << 20, 1, "pc", Path.of("/k"), Path.of("/i"), "c", Path.of("/s"),
                Path.of("/c"), "+0:+0");
        assertEquals("host-passthrough", XPathFactory.newInstance().newXPath().evaluate("/domain/cpu/@mode", parse(domain)));
    }

    @Test
    void leavesWhoQemuRunsAsToASessionDaemon() throws Exception {
        DomainXml domain = new DomainXml("n", "qemu", 64L << 20, 1, "pc", Path.of("/k"), Path.of("/i"), "c", Path.of("/s"),
                Path.of("/c"), null);
        assertEquals("0", XPathFactory.newInstance().newXPath().evaluate("count(/domain/seclabel)", parse(domain)));
    }

    @Test
    void escapesPaths() throws Exception {
        DomainXml domain = new DomainXml("n", "qemu", 64L << 20, 1, "pc", Path.of("/a&b/<k>'"), Path.of("/i"), "c", Path.of("/s"),
                Path.of("/c"), "+0:+0");
        assertEquals("/a&b/<k>'", XPathFactory.newInstance().newXPath().evaluate("/domain/os/kernel", parse(domain)));
        assertFalse(domain.toXml().contains("/a&b"));
    }
}
