package io.isolab.backend.hypervisor;

import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * What a libvirt host offers, from its capabilities XML.
 *
 * @param domainTypes the domain types that can run x86_64 HVM guests ({@code kvm} only where /dev/kvm works)
 * @param dacLabels   per domain type, the {@code +uid:+gid} QEMU runs as (libvirt's DAC base label)
 */
record LibvirtCapabilities(Set<String> domainTypes, Map<String, String> dacLabels) {

    static LibvirtCapabilities parse(String xml) {
        Document doc;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new IllegalStateException("libvirt's capabilities are not XML: " + e.getMessage(), e);
        }
        Set<String> types = new LinkedHashSet<>();
        NodeList guests = doc.getElementsByTagName("guest");
        for (int i = 0; i < guests.getLength(); i++) {
            Element guest = (Element) guests.item(i);
            Element arch = first(guest, "arch");
            if (arch == null || !"x86_64".equals(arch.getAttribute("name")) || !"hvm".equals(text(first(guest, "os_type")))) {
                continue;
            }
            NodeList domains = arch.getElementsByTagName("domain");
            for (int j = 0; j < domains.getLength(); j++) {
                types.add(((Element) domains.item(j)).getAttribute("type"));
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        NodeList models = doc.getElementsByTagName("secmodel");
        for (int i = 0; i < models.getLength(); i++) {
            Element model = (Element) models.item(i);
            if (!"dac".equals(text(first(model, "model")))) {
                continue;
            }
            NodeList base = model.getElementsByTagName("baselabel");
            for (int j = 0; j < base.getLength(); j++) {
                Element label = (Element) base.item(j);
                labels.put(label.getAttribute("type"), label.getTextContent().trim());
            }
        }
        return new LibvirtCapabilities(types, labels);
    }

    /** The DAC label of a domain type, or libvirt's usual default when the host does not say. */
    DacLabel dacLabel(String type) {
        return DacLabel.parse(dacLabels.getOrDefault(type, "+0:+0"));
    }

    private static Element first(Element parent, String tag) {
        NodeList list = parent.getElementsByTagName(tag);
        return list.getLength() == 0 ? null : (Element) list.item(0);
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().trim();
    }

    /** The user and group QEMU runs as. */
    record DacLabel(int uid, int gid) {
        static DacLabel parse(String label) {
            String[] parts = label.replace("+", "").split(":");
            try {
                return new DacLabel(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            } catch (RuntimeException e) {
                throw new IllegalStateException("unexpected DAC label in libvirt's capabilities: " + label, e);
            }
        }

        @Override
        public String toString() {
            return "+" + uid + ":+" + gid;
        }
    }
}
