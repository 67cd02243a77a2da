"""Networking: the network service and the host data plane (see linux/)."""
