"""The built-in network service: a Neutron v2.0 subset (networks, subnets, ports, IPAM,
security groups) and the HTTP client compute nodes use to reach it."""
