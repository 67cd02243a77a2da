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
               "values %(values)s and integer representations [0 to 255] are supported.")
    code = 400


class SecurityGroupEthertypeConflictWithProtocol(NeutronError):
    msg_fmt = "Invalid ethertype %(ethertype)s for protocol %(protocol)s."
    code = 400


class SecurityGroupRuleParameterConflict(NeutronError):
    msg_fmt = "Conflicting value ethertype %(ethertype)s for CIDR %(cidr)s"
    code = 400


class SecurityGroupInvalidProtoForPortRange(NeutronError):
    msg_fmt = ("Invalid protocol %(protocol)s for port range, only supported for TCP, UDP, "
               "UDPLITE, SCTP and DCCP.")
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


class InvalidSharedSetting(NeutronError):
    msg_fmt = ("Unable to reconfigure sharing settings for network %(network)s. Multiple "
               "tenants are using it.")
    code = 409


class ExternalNetworkInUse(InUse):
    msg_fmt = ("External network %(net_id)s cannot be updated to be made non-external, "
               "since it has existing gateway ports.")


class GatewayIpInUse(InUse):
    msg_fmt = ("Current gateway ip %(ip_address)s already in use by port %(port_id)s. "
               "Unable to update.")


class PortSecurityPortHasSecurityGroup(InUse):
    msg_fmt = ("Port has security group associated. Cannot disable port security or IP "
               "address until security group is removed.")


class PortSecurityAndIPRequiredForSecurityGroups(InvalidInput):
    msg_fmt = ("Port security must be enabled and port must have an IP address in order to "
               "use security groups.")


class AddressPairAndPortSecurityRequired(NeutronError):
    msg_fmt = "Port Security must be enabled in order to have allowed address pairs on a port."
    code = 409


class DuplicateAddressPairInRequest(InvalidInput):
    msg_fmt = ("Request contains duplicate address pair: mac_address %(mac_address)s "
               "ip_address %(ip_address)s.")


class AllowedAddressPairExhausted(NeutronError):
    msg_fmt = "The number of allowed address pair exceeds the maximum %(quota)s."
    code = 400


class ServicePortInUse(InUse):
    msg_fmt = "Port %(port_id)s cannot be deleted directly via the port API: %(reason)s."


class PortInUse(InUse):
    msg_fmt = ("Unable to complete operation on port %(port_id)s for network %(net_id)s. "
               "Port already has an attached device %(device_id)s.")


class SubnetMismatchForPort(NeutronError):
    msg_fmt = "Subnet on port %(port_id)s does not match the requested subnet %(subnet_id)s."
    code = 400


class ExternalIpAddressExhausted(NeutronError):
    msg_fmt = "Unable to find any IP address on external network %(net_id)s."
    code = 400


class TagNotFound(NotFound):
    msg_fmt = "Tag %(tag)s could not be found."


class TagResourceNotFound(NotFound):
    msg_fmt = "Resource %(resource)s %(resource_id)s could not be found."


# L3 (neutron_lib.exceptions.l3)
class RouterNotFound(NotFound):
    msg_fmt = "Router %(router_id)s could not be found"


class RouterInUse(InUse):
    msg_fmt = "Router %(router_id)s %(reason)s"

    def __init__(self, message: str | None = None, **kwargs: object) -> None:
        kwargs.setdefault("reason", "still has ports")
        super().__init__(message, **kwargs)


class RouterInterfaceNotFound(NotFound):
    msg_fmt = "Router %(router_id)s does not have an interface with id %(port_id)s"


class RouterInterfaceNotFoundForSubnet(NotFound):
    msg_fmt = "Router %(router_id)s has no interface on subnet %(subnet_id)s"


class RouterInterfaceInUseByFloatingIP(InUse):
    msg_fmt = ("Router interface for subnet %(subnet_id)s on router %(router_id)s cannot be "
               "deleted, as it is required by one or more floating IPs.")


class FloatingIPNotFound(NotFound):
    msg_fmt = "Floating IP %(floatingip_id)s could not be found"


class ExternalGatewayForFloatingIPNotFound(NotFound):
    msg_fmt = ("External network %(external_network_id)s is not reachable from subnet "
               "%(subnet_id)s.  Therefore, cannot associate Port %(port_id)s with a "
               "Floating IP.")


class FloatingIPPortAlreadyAssociated(InUse):
    msg_fmt = ("Cannot associate floating IP %(floating_ip_address)s (%(fip_id)s) with port "
               "%(port_id)s using fixed IP %(fixed_ip)s, as that fixed IP already has a "
               "floating IP on external network %(net_id)s.")


class RouterExternalGatewayInUseByFloatingIp(InUse):
    msg_fmt = ("Gateway cannot be updated for router %(router_id)s, since a gateway to "
               "external network %(net_id)s is required by one or more floating IPs.")


# agents
class AgentNotFound(NotFound):
    msg_fmt = "Agent %(id)s could not be found."


class AvailabilityZoneNotFound(NotFound):
    msg_fmt = "AvailabilityZone %(availability_zone)s could not be found."


class GatewayConflictWithAllocationPools(InUse):
    msg_fmt = "Gateway ip %(ip_address)s conflicts with allocation pool %(pool)s."
