"""The network service's errors, named and worded as Neutron's (neutron-lib) are.

The API answers each with ``{"NeutronError": {"type": <class name>, "message", "detail"}}``
and the status in ``code``; the client maps them back by ``type``.
"""

from __future__ import annotations

from novalite.common import exception


class NeutronError(exception.NovaliteException):
    """Base: ``neutron_type`` defaults to the class name, as Neutron's fault wrapper does."""

    @property
    def neutron_type(self) -> str:
        return type(self).__name__


class BadRequest(NeutronError):
    msg_fmt = "Bad %(resource)s request: %(msg)s."
    code = 400

    @property
    def neutron_type(self) -> str:
        return "HTTPBadRequest"


class InvalidInput(NeutronError):
    msg_fmt = "Invalid input for operation: %(error_message)s."
    code = 400


class NotFound(NeutronError):
    code = 404


class NetworkNotFound(NotFound):
    msg_fmt = "Network %(net_id)s could not be found."


class SubnetNotFound(NotFound):
    msg_fmt = "Subnet %(subnet_id)s could not be found."


class PortNotFound(NotFound):
    msg_fmt = "Port %(port_id)s could not be found."


class SecurityGroupNotFound(NotFound):
    msg_fmt = "Security group %(id)s does not exist"


class SecurityGroupRuleNotFound(NotFound):
    msg_fmt = "Security group rule %(id)s does not exist"


class ExtensionNotFound(NotFound):
    msg_fmt = "Extension with alias %(extension_alias)s does not exist"


class InUse(NeutronError):
    code = 409


class NetworkInUse(InUse):
    msg_fmt = ("Unable to complete operation on network %(net_id)s. There are one or more "
               "ports still in use on the network.")


class SubnetInUse(InUse):
    msg_fmt = ("Unable to complete operation on subnet %(subnet_id)s: One or more ports have "
               "an IP allocation from this subnet.")


class SecurityGroupInUse(InUse):
    msg_fmt = "Security Group %(id)s %(reason)s."


class SecurityGroupCannotRemoveDefault(InUse):
    msg_fmt = "Removing default security group not allowed."


class SecurityGroupRuleExists(InUse):
    msg_fmt = "Security group rule already exists. Rule id is %(rule_id)s."


class IpAddressGenerationFailure(NeutronError):
    msg_fmt = "No more IP addresses available on network %(net_id)s."
    code = 409


class IpAddressAlreadyAllocated(NeutronError):
    msg_fmt = "IP address %(ip)s already allocated in subnet %(subnet_id)s"
    code = 409


class MacAddressInUse(InUse):
    msg_fmt = ("Unable to complete operation for network %(net_id)s. The mac address "
               "%(mac)s is in use.")


class InvalidIpForNetwork(NeutronError):
    msg_fmt = ("IP address %(ip_address)s is not a valid IP for any of the subnets on the "
               "specified network.")
    code = 400


class InvalidIpForSubnet(NeutronError):
    msg_fmt = "IP address %(ip_address)s is not a valid IP for the specified subnet."
    code = 400


class PolicyNotAuthorized(NeutronError):
    msg_fmt = "(rule:%(action)s) is disallowed by policy"
    code = 403


class SecurityGroupDefaultAlreadyExists(InUse):
    msg_fmt = "Default security group already exists."


class SecurityGroupCannotUpdateDefault(InUse):
    msg_fmt = "Updating default security group not allowed."


class SecurityGroupRuleInvalidProtocol(NeutronError):
    msg_fmt = ("Security group rule protocol %(protocol)s not supported. Only protocol "
               "values [None, 'tcp', 'udp', 'icmp'] and integer representations [1, 6, 17] "
               "are supported.")
    code = 400


class SecurityGroupProtocolRequiredWithPorts(NeutronError):
    msg_fmt = "Must also specify protocol if port range is given."
    code = 400


class SecurityGroupMissingIcmpType(NeutronError):
    msg_fmt = ("ICMP code (port-range-max) %(value)s is provided but ICMP type "
               "(port-range-min) is missing.")
    code = 400


class SecurityGroupInvalidPortRange(NeutronError):
    msg_fmt = "For TCP/UDP protocols, port_range_min must be <= port_range_max"
    code = 400


class SecurityGroupRemoteGroupAndRemoteIpPrefix(NeutronError):
    msg_fmt = "Only remote_ip_prefix or remote_group_id may be provided."
    code = 400


class MacAddressInUseByBoundPort(InUse):
    msg_fmt = "Unable to change the MAC address of port %(port_id)s while it is bound."


class MacGenerationFailure(NeutronError):
    msg_fmt = "Unable to generate unique mac on network %(net_id)s."
    code = 503


class OverQuota(NeutronError):
    msg_fmt = "Quota exceeded for resources: %(overs)s."
    code = 409
