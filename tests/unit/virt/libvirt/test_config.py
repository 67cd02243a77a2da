"""Domain XML generation: typed guest config → the exact XML libvirt is given."""

from __future__ import annotations

from novalite.virt.libvirt import config

UUID = "6a1f1f52-5b86-4d4e-8c43-3c2b0a0d5f10"
EXPECTED = """<domain xmlns:novalite="https://novalite.dev/xmlns/libvirt/instance/1.0" type="qemu">
  <name>instance-0000002a</name>
  <uuid>6a1f1f52-5b86-4d4e-8c43-3c2b0a0d5f10</uuid>
  <metadata>
    <novalite:instance>
      <novalite:defined_at>1700000000.25</novalite:defined_at>
      <novalite:name>vm1</novalite:name>
      <novalite:project>p1</novalite:project>
      <novalite:flavor>m1.tiny</novalite:flavor>
      <novalite:images>
        <novalite:image>img</novalite:image>
        <novalite:image>krn</novalite:image>
      </novalite:images>
    </novalite:instance>
  </metadata>
  <memory unit="MiB">128</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch="x86_64" machine="pc">hvm</type>
    <kernel>/b/krn</kernel>
    <initrd>/b/rd</initrd>
    <cmdline>console=ttyS0</cmdline>
  </os>
  <features>
    <acpi />
    <apic />
  </features>
  <clock offset="utc" />
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type="file" device="disk">
      <driver name="qemu" type="qcow2" />
      <source file="/i/disk" />
      <target dev="vda" bus="virtio" />
    </disk>
    <serial type="pty">
      <log file="/i/console.log" append="on" />
      <target port="0" />
    </serial>
    <graphics type="vnc" autoport="yes" listen="127.0.0.1">
      <listen type="address" address="127.0.0.1" />
    </graphics>
    <graphics type="spice" autoport="yes" listen="127.0.0.1">
      <listen type="address" address="127.0.0.1" />
    </graphics>
    <video>
      <model type="qxl" />
    </video>
    <memballoon model="virtio" />
  </devices>
</domain>"""


def guest(**overrides: object) -> config.GuestConfig:
    values: dict[str, object] = dict(
        uuid=UUID, name="instance-0000002a", virt_type="qemu", memory_mb=128, vcpus=2,
        metadata=config.GuestMetadata(defined_at=1700000000.25, display_name="vm1",
                                      project_id="p1", flavor_name="m1.tiny",
                                      image_ids=("img", "krn")),
        disks=(config.GuestDisk("/i/disk"),), serial=config.GuestSerial("/i/console.log"),
        kernel="/b/krn", initrd="/b/rd", cmdline="console=ttyS0")
    values.update(overrides)
    return config.GuestConfig(**values)  # type: ignore[arg-type]


def test_three_part_guest_xml() -> None:
    assert guest().to_xml() == EXPECTED


def test_disk_boot_and_kvm_cpu() -> None:
    xml = guest(kernel=None, initrd=None, cmdline=None, virt_type="kvm").to_xml()
    assert xml.startswith('<domain xmlns:novalite="https://novalite.dev/xmlns/libvirt/instance/1.0"'
                          ' type="kvm">')
    assert '<boot dev="hd" />' in xml and "<kernel>" not in xml and "<cmdline>" not in xml
    assert '<cpu mode="host-passthrough" />' in xml


def test_interface_and_socket_serial() -> None:
    xml = guest(interfaces=(config.GuestInterface("fa:16:3e:00:00:01", "br0", "tap1"),),
                serial=config.GuestSerial("/i/log", "/run/s.sock")).to_xml()
    assert '<interface type="bridge">' in xml and '<mac address="fa:16:3e:00:00:01" />' in xml
    assert '<target dev="tap1" />' in xml and '<source bridge="br0" />' in xml
    assert '<serial type="unix">' in xml and '<source mode="bind" path="/run/s.sock" />' in xml


def test_metadata_round_trip_and_disk_paths() -> None:
    xml = guest().to_xml()
    metadata = config.parse_metadata(xml)
    assert metadata == guest().metadata
    assert config.disk_paths(xml) == ["/i/disk"]
    assert config.parse_metadata("<domain><name>x</name></domain>") is None


def test_tcp_serial_keeps_its_log_and_spice_agent_channel() -> None:
    xml = guest(serial=config.GuestSerial("/i/console.log", tcp_host="127.0.0.1",
                                          tcp_port=10042), spice_agent=True).to_xml()
    assert '<serial type="tcp">' in xml
    assert '<source mode="bind" host="127.0.0.1" service="10042" />' in xml
    assert '<protocol type="raw" />' in xml
    assert '<log file="/i/console.log" append="on" />' in xml
    assert '<channel type="spicevmc">' in xml
    assert '<target type="virtio" name="com.redhat.spice.0" />' in xml
    assert config.serial_tcp_ports(xml) == [("127.0.0.1", 10042)]
    assert '<channel' not in guest(spice_agent=True, graphics=()).to_xml()


def test_graphics_ports_of_a_running_and_a_stopped_domain() -> None:
    running = ("<domain><devices><graphics type='vnc' port='5901' autoport='yes'/>"
               "<graphics type='spice' port='5902' autoport='yes'/></devices></domain>")
    stopped = "<domain><devices><graphics type='vnc' port='-1' autoport='yes'/></devices></domain>"
    assert config.graphics_port(running, "vnc") == 5901
    assert config.graphics_port(running, "spice") == 5902
    assert config.graphics_port(stopped, "vnc") is None
    assert config.graphics_port(stopped, "spice") is None
