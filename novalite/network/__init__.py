"""Networking: the network service (a Neutron v2.0 subset: networks, subnets, ports,
IPAM, security groups; ``api/``, ``store``, ``client``) and the host data plane
(see ``linux/``)."""
