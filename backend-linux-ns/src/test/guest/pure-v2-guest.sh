#!/bin/sh
# Boots a throw-away VM whose kernel has every cgroup controller on the unified (v2) hierarchy, and runs
# the given JUnit classes in it with GuestMain. The host this project is developed on is hybrid (v1 holds
# the controllers, for the whole kernel), so v2 controllers can only be exercised in another kernel.
#
#   pure-v2-guest.sh CACHE_DIR CLASSPATH TEST_CLASS...
#
# CACHE_DIR keeps the downloaded Debian cloud kernel between runs. Runs under TCG (ISOLAB_GUEST_ACCEL=kvm
# for KVM). Needs: apt-get (Debian), dpkg, jlink, busybox, qemu-system-x86.
set -eu

cache=$1; classpath=$2; shift 2
# Debian's current cloud kernel (the meta package's dependency): old ABI versions leave the mirror
kernel_pkg=${ISOLAB_GUEST_KERNEL_PKG:-$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
	| awk '/Depends: linux-image-[0-9]/ {print $2; exit}')}
[ -n "$kernel_pkg" ] || { echo "no Debian cloud kernel package found (apt-get update?)" >&2; exit 2; }

mkdir -p "$cache"
if [ ! -f "$cache/$kernel_pkg/overlay.ko" ]; then
	rm -rf "${cache:?}/$kernel_pkg"
	tmp=$(mktemp -d "$cache/.isolab-download-XXXXXX")
	(cd "$tmp" && apt-get download "$kernel_pkg" >/dev/null 2>&1 && dpkg -x ./*.deb root) \
		|| { rm -rf "$tmp"; echo "cannot download $kernel_pkg" >&2; exit 2; }
	mkdir -p "$tmp/kernel" && cp "$tmp"/root/boot/vmlinuz-* "$tmp/kernel/vmlinuz"
	# overlayfs is a module in Debian's kernels: the linux-ns backend's root needs it
	cp "$tmp"/root/lib/modules/*/kernel/fs/overlayfs/overlay.ko "$tmp/kernel/"
	mv "$tmp/kernel" "$cache/$kernel_pkg"
	rm -rf "$tmp"
fi

stage=$(mktemp -d /tmp/isolab-v2guest-XXXXXX)
trap 'rm -rf "$stage"' EXIT INT TERM

# A small JRE and the native libraries it links.
jlink --add-modules java.base,java.logging,java.management,java.naming,java.xml,java.sql,jdk.unsupported \
	--strip-debug --no-header-files --no-man-pages --compress=2 --output "$stage/jre"
mkdir -p "$stage/lib64" "$stage/lib/x86_64-linux-gnu"
cp /lib64/ld-linux-x86-64.so.2 "$stage/lib64/"
for lib in $(find "$stage/jre" -name '*.so' -o -name java -type f | xargs ldd 2>/dev/null \
		| awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u); do
	cp -L "$lib" "$stage/lib/x86_64-linux-gnu/"
done

# The classpath, copied entry by entry.
mkdir -p "$stage/cp"
guest_cp=""
n=0
old_ifs=$IFS; IFS=:
for entry in $classpath; do
	n=$((n + 1))
	[ -e "$entry" ] || continue
	cp -r "$entry" "$stage/cp/$n-$(basename "$entry")"
	guest_cp="$guest_cp${guest_cp:+:}/cp/$n-$(basename "$entry")"
done
IFS=$old_ifs

# busybox for init, and as the sh, dd, sleep, head and tr the tests run.
mkdir -p "$stage/bin" "$stage/etc" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" "$stage/root" "$stage/newroot"
cp "$cache/$kernel_pkg/overlay.ko" "$stage/"
cp "$(command -v busybox)" "$stage/bin/busybox"
for applet in sh mount mkdir cat echo cp dd sleep head tr seq reboot insmod switch_root true; do
	ln -s busybox "$stage/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$stage/etc/passwd"
echo 'root:x:0:' > "$stage/etc/group"
# pivot_root cannot leave the initramfs (it is no mount): the first init moves everything to a tmpfs and
# switch_roots into it, as a real boot would, and the second runs the tests.
cat > "$stage/init" <<'INIT'
#!/bin/sh
mount -t tmpfs -o size=900m tmpfs /newroot
cp -a /bin /cp /etc /jre /lib /lib64 /root /init2 /overlay.ko /newroot/
mkdir /newroot/proc /newroot/sys /newroot/dev /newroot/tmp /newroot/var
exec switch_root /newroot /init2
INIT
cat > "$stage/init2" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
insmod /overlay.ko
echo "ISOLAB-GUEST-CGROUP \$(cat /sys/fs/cgroup/cgroup.controllers)"
HOME=/root /jre/bin/java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$guest_cp" io.isolab.backend.linuxns.cgroup.GuestMain $*
echo "ISOLAB-GUEST-EXIT \$?"
reboot -f
INIT
chmod +x "$stage/init2"
chmod +x "$stage/init"
(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > "$stage.cpio.gz")
trap 'rm -rf "$stage" "$stage.cpio.gz"' EXIT INT TERM

# TCG by default: the CI machine has no KVM, and nested KVM on this one fails to emulate xrstor/cmpxchg16b.
# The guest ends with "reboot -f", which -no-reboot turns into QEMU exiting (microvm has no ACPI power-off);
# reboot=t goes straight to a triple fault: the kernel's default first polls a keyboard controller that
# microvm lacks, which under TCG once took minutes.
accel=${ISOLAB_GUEST_ACCEL:-tcg}
cpu=max
if [ "$accel" = kvm ]; then
	cpu=${ISOLAB_GUEST_CPU:-host}
fi
echo "ISOLAB-GUEST-ACCEL $accel"
qemu-system-x86_64 -machine microvm,accel=$accel,pit=on,pic=on,rtc=on,acpi=off -cpu $cpu -smp 2 -m 2048 \
	-nodefaults -no-reboot -nographic -serial stdio -kernel "$cache/$kernel_pkg/vmlinuz" -initrd "$stage.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 reboot=t rdinit=/init"
