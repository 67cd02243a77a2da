"""[network]: the built-in network service (Neutron v2.0 subset) and its default network."""

from oslo_config import cfg

network_group = cfg.OptGroup("network", title="Built-in network service")
network_opts = [
    cfg.HostAddressOpt("bind_host", default="127.0.0.1",
                       help="Address the network API listens on."),
    cfg.PortOpt("bind_port", default=9696, help="Network API port."),
    cfg.IntOpt("workers", default=8, min=1, help="Threads serving network requests."),
    cfg.StrOpt("namespace", default="novalite",
               help="Network namespace the host data plane (bridges, dnsmasq, metadata "
                    "proxy) lives in, so the host's own network is never touched."),
    cfg.StrOpt("default_network_name", default="shared",
               help="Name of the shared network bootstrap creates (what --nic auto uses)."),
    cfg.StrOpt("default_network_cidr", default="10.254.0.0/24",
               help="IPv4 range of the default network's subnet."),
    cfg.StrOpt("dns_domain", default="novalocal",
               help="Domain appended to instance host names."),
    cfg.IntOpt("security_group_refresh_interval", default=10, min=1,
               help="Seconds between compute nodes' checks of their ports' security group "
                    "rules (and remote group members), routers and floating IPs, applied "
                    "when they changed; each check also reports the host's data plane "
                    "agents."),
    cfg.IntOpt("agent_down_time", default=75, min=1,
               help="Seconds after its last report an agent is no longer alive (Neutron's "
                    "agent_down_time)."),
    cfg.StrOpt("availability_zone", default="nova",
               help="Network availability zone of this host's data plane agents."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(network_group)
    conf.register_opts(network_opts, group=network_group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(network_group.name, network_opts)]
