package io.isolab.backend.hypervisor;

import java.nio.file.Path;

/**
 * The libvirt domain of one sandbox: as little machine as the guest needs, because every device costs
 * boot time under TCG. What is left out, and why:
 * <ul>
 *   <li>no {@code <features><acpi/>}: libvirt then passes {@code -no-acpi}; the kernel skips its ACPI
 *       interpreter (the slowest initcall under TCG) and ends the domain by a triple-fault reboot
 *       ({@code reboot=t}), which {@code on_reboot=destroy} turns into the domain's end, without ACPI's
 *       power-button round trip;</li>
 *   <li>no USB controller, no memory balloon, no disk, no NIC, no graphics (libvirt passes
 *       {@code -nodefaults}): stats come from libvirt (CPU, QEMU's RSS) and the guest's cgroup;</li>
 *   <li>the CPU model named, not left to libvirt: {@code qemu64} under TCG (libvirt's default there too), the
 *       host's under KVM, so that a raw QEMU can be given the same one;</li>
 *   <li>one virtio-serial controller with room for exactly one port: the channel to the guest init,
 *       whose other end is a UNIX socket isolab listens on (QEMU connects at start, so nothing the guest
 *       says is lost);</li>
 *   <li>a static DAC label without relabeling: QEMU runs as libvirt's unprivileged user, and libvirt
 *       does not chown the shared kernel and initramfs (and restore them) for every domain; they are
 *       world-readable in a directory that user can search.</li>
 * </ul>
 *
 * @param name        the sandbox id
 * @param type        {@code kvm} or {@code qemu}
 * @param memoryBytes guest RAM
 * @param vcpus       virtual CPUs
 * @param machine     QEMU machine type
 * @param kernel      the kernel image
 * @param initrd      the initramfs
 * @param cmdline     the guest kernel's command line ({@link KernelCommandLine#sandbox()})
 * @param channel     the UNIX socket QEMU connects the guest's port to
 * @param console     where the guest's serial console (kernel messages, init's diagnostics) goes
 * @param dacLabel    {@code +uid:+gid} QEMU runs as, or {@code null} to leave it to libvirt (a session daemon)
 */
record DomainXml(String name, String type, long memoryBytes, int vcpus, String machine, Path kernel, Path initrd,
                 String cmdline, Path channel, Path console, String dacLabel) {

    /** Ports of the virtio-serial controller: port 0 is reserved for a console, port 1 is the channel. */
    static final int SERIAL_PORTS = 2;
    /** The devices of every domain besides its serial console and the channel's port, as QEMU's -device options. */
    static final String QEMU_DEVICES = "virtio-serial-pci,max_ports=" + SERIAL_PORTS;
    /** A TCG guest's CPU model. */
    static final String TCG_CPU = "qemu64";

    /** The CPU model QEMU is given: the host's under KVM (host-passthrough), {@link #TCG_CPU} under TCG. */
    static String qemuCpu(String type) {
        return "kvm".equals(type) ? "host" : TCG_CPU;
    }

    String toXml() {
        StringBuilder x = new StringBuilder(2048);
        x.append("<domain type='").append(type).append("'>\n");
        x.append("  <name>").append(escape(name)).append("</name>\n");
        x.append("  <memory unit='KiB'>").append(memoryBytes >> 10).append("</memory>\n");
        x.append("  <vcpu>").append(vcpus).append("</vcpu>\n");
        x.append("  <os>\n");
        x.append("    <type arch='x86_64' machine='").append(escape(machine)).append("'>hvm</type>\n");
        x.append("    <kernel>").append(escape(kernel.toString())).append("</kernel>\n");
        x.append("    <initrd>").append(escape(initrd.toString())).append("</initrd>\n");
        x.append("    <cmdline>").append(escape(cmdline)).append("</cmdline>\n");
        x.append("  </os>\n");
        if ("kvm".equals(type)) {
            x.append("  <cpu mode='host-passthrough'/>\n");
        } else {
            x.append("  <cpu mode='custom' match='exact' check='none'><model fallback='forbid'>").append(TCG_CPU)
                    .append("</model></cpu>\n");
        }
        x.append("  <on_poweroff>destroy</on_poweroff>\n");
        x.append("  <on_reboot>destroy</on_reboot>\n");
        x.append("  <on_crash>destroy</on_crash>\n");
        x.append("  <devices>\n");
        x.append("    <controller type='usb' model='none'/>\n");
        x.append("    <controller type='virtio-serial' index='0' ports='").append(SERIAL_PORTS).append("'/>\n");
        x.append("    <serial type='file'>\n");
        x.append("      <source path='").append(escape(console.toString())).append("'/>\n");
        x.append("      <target port='0'/>\n");
        x.append("    </serial>\n");
        x.append("    <channel type='unix'>\n");
        x.append("      <source mode='connect' path='").append(escape(channel.toString())).append("'/>\n");
        x.append("      <target type='virtio' name='").append(GuestProtocol.PORT_NAME).append("'/>\n");
        x.append("    </channel>\n");
        x.append("    <memballoon model='none'/>\n");
        x.append("  </devices>\n");
        if (dacLabel != null) {
            x.append("  <seclabel type='static' model='dac' relabel='no'>\n");
            x.append("    <label>").append(escape(dacLabel)).append("</label>\n");
            x.append("  </seclabel>\n");
        }
        x.append("</domain>\n");
        return x.toString();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '\'' -> b.append("&apos;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
