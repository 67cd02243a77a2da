#!/bin/sh
# /init of the novalite tiny guest (runs as PID 1 under busybox sh).
# Sets the machine up, fetches its metadata, runs user-data, then hands PID 1
# to busybox init, which keeps a login prompt on ttyS0 and tty1 and carries out
# reboot/poweroff. The module list below is filled in by the image builder.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run/openstack /tmp /mnt/config /var/log /root
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mkdir -p /run/openstack
hostname tiny
ip link set lo up

# Everything worth reading goes to the serial console (stdout) and tty1.
say() {
    echo "$*"
    [ -c /dev/tty1 ] && echo "$*" > /dev/tty1 2>/dev/null
}

load_module() {
    insmod "/lib/modules/$1.ko" 2>/dev/null || say "tiny: could not load module $1"
}

# Kernel modules, each after the modules it depends on.
@MODULES@

# ACPI power button -> /etc/acpi/PWRF/00000080 (prints and powers off).
acpid -c /etc/acpi

source=
json_get() {
    tr -d '\n' < "$2" | grep -o "\"$1\": *\"[^\"]*\"" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'
}

fetch_metadata() {
    # Debian's static busybox wget segfaults on -T and on looking up the "http"
    # service name (static glibc, no NSS modules): hence `timeout` and the :80.
    base=http://169.254.169.254:80/openstack/latest
    timeout 10 wget -q -O /run/openstack/meta_data.json "$base/meta_data.json" 2>/dev/null || {
        rm -f /run/openstack/meta_data.json
        return 1
    }
    timeout 10 wget -q -O /run/openstack/user_data "$base/user_data" 2>/dev/null ||
        rm -f /run/openstack/user_data
    source=metadata-service
}

read_config_drive() {
    for dev in $(findfs LABEL=config-2 2>/dev/null) /dev/vd? /dev/sr? /dev/sd?; do
        [ -b "$dev" ] || continue
        mount -t iso9660 -o ro "$dev" /mnt/config 2>/dev/null || continue
        if [ -f /mnt/config/openstack/latest/meta_data.json ]; then
            cp /mnt/config/openstack/latest/meta_data.json /run/openstack/
            [ -f /mnt/config/openstack/latest/user_data ] &&
                cp /mnt/config/openstack/latest/user_data /run/openstack/
            umount /mnt/config
            source=config-drive
            return 0
        fi
        umount /mnt/config
    done
    return 1
}

if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    if udhcpc -i eth0 -s /etc/udhcpc.script -n -q -t 10 -T 1 \
            -O staticroutes -O mtu > /dev/null 2>&1; then
        say "tiny: eth0 $(ip -4 -o addr show dev eth0 | awk '{print $4}')"
        fetch_metadata
    else
        say "tiny: eth0 got no DHCP lease"
    fi
fi
[ -n "$source" ] || read_config_drive

if [ -e /sys/class/net/eth0 ]; then
    # An IPv6 address comes from router advertisements (SLAAC) in the background:
    # printed once the kernel has it (past duplicate address detection), boot goes on.
    (
        for i in $(seq 60); do
            inet6=$(ip -6 -o addr show dev eth0 scope global 2>/dev/null |
                grep -v tentative | awk '{print $4}' | head -n 1)
            if [ -n "$inet6" ]; then
                say "tiny: eth0 inet6 $inet6"
                break
            fi
            sleep 0.5
        done
    ) &
fi

if [ -n "$source" ]; then
    uuid=$(json_get uuid /run/openstack/meta_data.json)
    name=$(json_get hostname /run/openstack/meta_data.json)
    say "METADATA uuid=$uuid hostname=$name source=$source"
    [ -n "$name" ] && hostname "$name"
    if [ -s /run/openstack/user_data ] &&
            [ "$(head -c 2 /run/openstack/user_data)" = '#!' ]; then
        chmod 700 /run/openstack/user_data
        say "USERDATA start"
        (cd /root && /run/openstack/user_data) < /dev/null 2>&1
        say "USERDATA exit=$?"
    fi
else
    say "tiny: no metadata service and no config drive"
fi

# Block devices that appear or go (a volume hot-plugged or unplugged) are reported on
# the console ("BLOCK added vdb" / "BLOCK removed vdb"), so tests can see a hot-plug.
watch_block_devices() {
    known=" $(ls /sys/block | tr '\n' ' ')"
    while sleep 1; do
        now=" $(ls /sys/block | tr '\n' ' ')"
        for dev in $now; do
            case "$known" in *" $dev "*) ;; *) say "BLOCK added $dev" ;; esac
        done
        for dev in $known; do
            case "$now" in *" $dev "*) ;; *) say "BLOCK removed $dev" ;; esac
        done
        known=$now
    done
}
watch_block_devices < /dev/null &

exec /sbin/init
