"""Typed guest configuration objects and their libvirt domain XML.

Pure data and ElementTree: no libvirt import, so the XML is unit-tested without a
daemon. The driver builds a ``GuestConfig`` from an instance and calls ``to_xml()``;
``parse_metadata`` reads back what novalite stored in ``<metadata>``.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

NOVALITE_NS = "https://novalite.dev/xmlns/libvirt/instance/1.0"
NOVALITE_PREFIX = "novalite"


@dataclasses.dataclass(frozen=True)
class GuestDisk:
    source_path: str
    target_dev: str = "vda"
    driver_format: str = "qcow2"
    bus: str = "virtio"
    device: str = "disk"
    readonly: bool = False

    def to_element(self) -> ET.Element:
        disk = ET.Element("disk", type="file", device=self.device)
        ET.SubElement(disk, "driver", name="qemu", type=self.driver_format)
        ET.SubElement(disk, "source", file=self.source_path)
        ET.SubElement(disk, "target", dev=self.target_dev, bus=self.bus)
        if self.readonly:
            ET.SubElement(disk, "readonly")
        return disk


@dataclasses.dataclass(frozen=True)
class GuestVolume:
    """A volume: a file, or an iSCSI LUN QEMU reaches itself (``volume.guest_volume``)."""

    target_dev: str
    serial: str
    #: file: the volume's path; iscsi: None
    source_path: str | None = None
    driver_format: str = "raw"
    #: iscsi: ``<iqn>/<lun>`` and the portal
    iscsi_name: str | None = None
    host: str | None = None
    port: int | None = None
    readonly: bool = False

    def to_element(self) -> ET.Element:
        network = self.iscsi_name is not None
        disk = ET.Element("disk", type="network" if network else "file", device="disk")
        driver = ET.SubElement(disk, "driver", name="qemu", type=self.driver_format,
                               discard="unmap")
        if network:
            driver.set("cache", "none")
        if network:
            source = ET.SubElement(disk, "source", protocol="iscsi",
                                   name=str(self.iscsi_name))
            ET.SubElement(source, "host", name=str(self.host), port=str(self.port))
        else:
            ET.SubElement(disk, "source", file=str(self.source_path))
        ET.SubElement(disk, "target", dev=self.target_dev, bus="virtio")
        ET.SubElement(disk, "serial").text = self.serial
        if self.readonly:
            ET.SubElement(disk, "readonly")
        return disk

    def to_xml(self) -> str:
        return ET.tostring(self.to_element(), encoding="unicode")


@dataclasses.dataclass(frozen=True)
class GuestSerial:
    """Serial port 0 for interactive use, logged to a file: a TCP server on
    ``tcp_host:tcp_port`` (raw bytes, what the serial console proxy dials), a unix
    socket, or a pty.

    The log is appended to, so a console survives reboots that start a new QEMU.
    A socket path must stay under the 108 bytes of ``sun_path``.
    """

    log_path: str
    socket_path: str | None = None
    tcp_host: str | None = None
    tcp_port: int | None = None

    def to_element(self) -> ET.Element:
        if self.tcp_port is not None:
            serial = ET.Element("serial", type="tcp")
            ET.SubElement(serial, "source", mode="bind", host=self.tcp_host or "127.0.0.1",
                          service=str(self.tcp_port))
            ET.SubElement(serial, "protocol", type="raw")
        elif self.socket_path:
            serial = ET.Element("serial", type="unix")
            ET.SubElement(serial, "source", mode="bind", path=self.socket_path)
        else:
            serial = ET.Element("serial", type="pty")
        ET.SubElement(serial, "log", file=self.log_path, append="on")
        ET.SubElement(serial, "target", port="0")
        return serial


@dataclasses.dataclass(frozen=True)
class GuestGraphics:
    type: str  # vnc or spice
    listen: str = "127.0.0.1"

    def to_element(self) -> ET.Element:
        graphics = ET.Element("graphics", type=self.type, autoport="yes", listen=self.listen)
        ET.SubElement(graphics, "listen", type="address", address=self.listen)
        return graphics


@dataclasses.dataclass(frozen=True)
class GuestInterface:
    """A NIC: on a bridge of the host (``bridge``), or a bare tap that novalite moves
    into its network namespace once QEMU has opened it (``bridge`` None: type ethernet).
    """

    mac_address: str
    bridge: str | None = None
    target_dev: str | None = None
    model: str = "virtio"
    mtu: int | None = None

    def to_element(self) -> ET.Element:
        interface = ET.Element("interface", type="bridge" if self.bridge else "ethernet")
        ET.SubElement(interface, "mac", address=self.mac_address)
        if self.bridge:
            ET.SubElement(interface, "source", bridge=self.bridge)
        if self.target_dev:
            ET.SubElement(interface, "target", dev=self.target_dev)
        ET.SubElement(interface, "model", type=self.model)
        if self.mtu:
            ET.SubElement(interface, "mtu", size=str(self.mtu))
        return interface


@dataclasses.dataclass(frozen=True)
class GuestMetadata:
    """What novalite records about the definition inside the domain itself."""

    defined_at: float
    display_name: str = ""
    project_id: str = ""
    flavor_name: str = ""
    image_ids: tuple[str, ...] = ()

    def to_element(self) -> ET.Element:
        def tag(name: str) -> str:
            return f"{{{NOVALITE_NS}}}{name}"

        root = ET.Element(tag("instance"))
        ET.SubElement(root, tag("defined_at")).text = repr(self.defined_at)
        ET.SubElement(root, tag("name")).text = self.display_name
        ET.SubElement(root, tag("project")).text = self.project_id
        ET.SubElement(root, tag("flavor")).text = self.flavor_name
        images = ET.SubElement(root, tag("images"))
        for image_id in self.image_ids:
            ET.SubElement(images, tag("image")).text = image_id
        return root


@dataclasses.dataclass(frozen=True)
class GuestConfig:
    uuid: str
    name: str
    virt_type: str  # kvm or qemu
    memory_mb: int
    vcpus: int
    metadata: GuestMetadata
    disks: tuple[GuestDisk | GuestVolume, ...] = ()
    serial: GuestSerial | None = None
    graphics: tuple[GuestGraphics, ...] = (GuestGraphics("vnc"), GuestGraphics("spice"))
    #: the SPICE agent's virtio channel (``[spice] agent_enabled``)
    spice_agent: bool = False
    interfaces: tuple[GuestInterface, ...] = ()
    kernel: str | None = None
    initrd: str | None = None
    cmdline: str | None = None
    machine: str = "pc"
    video_model: str = "qxl"

    def to_element(self) -> ET.Element:
        domain = ET.Element("domain", type=self.virt_type)
        ET.SubElement(domain, "name").text = self.name
        ET.SubElement(domain, "uuid").text = self.uuid
        ET.SubElement(domain, "metadata").append(self.metadata.to_element())
        ET.SubElement(domain, "memory", unit="MiB").text = str(self.memory_mb)
        ET.SubElement(domain, "vcpu").text = str(self.vcpus)
        os_ = ET.SubElement(domain, "os")
        ET.SubElement(os_, "type", arch="x86_64", machine=self.machine).text = "hvm"
        if self.kernel:
            ET.SubElement(os_, "kernel").text = self.kernel
            if self.initrd:
                ET.SubElement(os_, "initrd").text = self.initrd
            if self.cmdline:
                ET.SubElement(os_, "cmdline").text = self.cmdline
        else:
            ET.SubElement(os_, "boot", dev="hd")
        features = ET.SubElement(domain, "features")
        ET.SubElement(features, "acpi")
        ET.SubElement(features, "apic")
        if self.virt_type == "kvm":
            ET.SubElement(domain, "cpu", mode="host-passthrough")
        ET.SubElement(domain, "clock", offset="utc")
        # The reboot semantics depend on these: an in-guest reboot resets the same QEMU.
        ET.SubElement(domain, "on_poweroff").text = "destroy"
        ET.SubElement(domain, "on_reboot").text = "restart"
        ET.SubElement(domain, "on_crash").text = "destroy"
        devices = ET.SubElement(domain, "devices")
        for disk in self.disks:
            devices.append(disk.to_element())
        for interface in self.interfaces:
            devices.append(interface.to_element())
        if self.serial is not None:
            devices.append(self.serial.to_element())
        for graphics in self.graphics:
            devices.append(graphics.to_element())
        if self.spice_agent and any(g.type == "spice" for g in self.graphics):
            channel = ET.SubElement(devices, "channel", type="spicevmc")
            ET.SubElement(channel, "target", type="virtio", name="com.redhat.spice.0")
        if self.graphics:
            video = ET.SubElement(devices, "video")
            ET.SubElement(video, "model", type=self.video_model)
        ET.SubElement(devices, "memballoon", model="virtio")
        return domain

    def to_xml(self) -> str:
        element = self.to_element()
        ET.indent(element)
        return ET.tostring(element, encoding="unicode")


ET.register_namespace(NOVALITE_PREFIX, NOVALITE_NS)


def parse_metadata(domain_xml: str) -> GuestMetadata | None:
    """The novalite metadata of a domain's XML, None for a domain novalite did not define."""
    root = ET.fromstring(domain_xml)
    instance = root.find(f"metadata/{{{NOVALITE_NS}}}instance")
    if instance is None:
        return None

    def text(name: str) -> str:
        node = instance.find(f"{{{NOVALITE_NS}}}{name}")
        return (node.text or "") if node is not None else ""

    try:
        defined_at = float(text("defined_at"))
    except ValueError:
        defined_at = 0.0
    images = tuple(node.text or "" for node in instance.iterfind(
        f"{{{NOVALITE_NS}}}images/{{{NOVALITE_NS}}}image"))
    return GuestMetadata(defined_at=defined_at, display_name=text("name"),
                         project_id=text("project"), flavor_name=text("flavor"),
                         image_ids=images)


def disk_paths(domain_xml: str) -> list[str]:
    """The file paths of a domain's disks."""
    root = ET.fromstring(domain_xml)
    return [source.get("file", "") for source in root.iterfind("devices/disk/source")
            if source.get("file")]


def disk_targets(domain_xml: str) -> list[str]:
    """The target devices (``vda``, ``vdb`` ...) of a domain's disks."""
    root = ET.fromstring(domain_xml)
    return [target.get("dev", "") for target in root.iterfind("devices/disk/target")]


def graphics_port(domain_xml: str, kind: str) -> int | None:
    """The port a running domain's ``vnc`` or ``spice`` display listens on (None when
    it has none, or it is not running: autoport reads -1 then)."""
    graphics = ET.fromstring(domain_xml).find(f"devices/graphics[@type='{kind}']")
    if graphics is None:
        return None
    try:
        port = int(graphics.get("port", "-1"))
    except ValueError:
        return None
    return port if port > 0 else None


def serial_tcp_ports(domain_xml: str) -> list[tuple[str, int]]:
    """(host, port) of each TCP server serial port of a domain, in port order."""
    found: list[tuple[str, int]] = []
    for serial in ET.fromstring(domain_xml).iterfind("devices/serial[@type='tcp']"):
        source = serial.find("source[@mode='bind']")
        if source is not None and (source.get("service") or "").isdigit():
            found.append((source.get("host") or "127.0.0.1", int(source.get("service", "0"))))
    return found
