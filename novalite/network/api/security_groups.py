"""Security groups and their rules. Listing or creating groups makes the project's
``default`` group first, as Neutron does."""

from __future__ import annotations

import ipaddress
from typing import Any

import webob

from novalite.common import wsgi
from novalite.common.context import RequestContext
from novalite.network import exceptions as exc
from novalite.network import store
from novalite.network.api import access, common, views

GROUP_CREATE = ("name", "description", "project_id", "tenant_id", "stateful")
GROUP_UPDATE = ("name", "description")
GROUP_READ_ONLY = ("id", "security_group_rules", "created_at", "updated_at")
GROUP_COLUMNS = {"id": ("id", "str"), "name": ("name", "str"),
                 "project_id": ("project_id", "str"), "description": ("description", "str")}
RULE_CREATE = ("security_group_id", "direction", "ethertype", "protocol", "port_range_min",
               "port_range_max", "remote_ip_prefix", "remote_group_id", "description",
               "project_id", "tenant_id")
RULE_READ_ONLY = ("id", "created_at", "updated_at")
RULE_COLUMNS = {"id": ("id", "str"), "security_group_id": ("security_group_id", "str"),
                "direction": ("direction", "str"), "ethertype": ("ethertype", "str"),
                "protocol": ("protocol", "str"), "project_id": ("project_id", "str"),
                "remote_group_id": ("remote_group_id", "str"),
                "remote_ip_prefix": ("remote_ip_prefix", "str")}
PROTOCOLS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "6": "tcp", "17": "udp", "1": "icmp"}
# Neutron's named protocols (neutron_lib.constants.IPTABLES_PROTOCOL_NAME_MAP keys and more)
NAMED_PROTOCOLS = ("ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "icmpv6", "igmp",
                   "ip", "ipip", "ipv6-encap", "ipv6-frag", "ipv6-icmp", "ipv6-nonxt",
                   "ipv6-opts", "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp",
                   "udplite", "vrrp")
ICMPV6 = ("icmpv6", "ipv6-icmp", "58")
PORT_PROTOCOLS = ("tcp", "udp", "sctp", "dccp", "udplite", "6", "17", "132", "33", "136")


def _ensure_default(ctxt: RequestContext) -> None:
    if ctxt.project_id:
        store.ensure_default_security_group(ctxt.project_id)


@common.neutron_faults
def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "security_group")
    common.check_attributes("security_group", body, GROUP_CREATE, GROUP_READ_ONLY, "POST")
    owner = common.owner_from_body(ctxt, body, "security_group")
    common.authorize(ctxt, "create_security_group", owner)
    if body.get("stateful", True) is not True:
        raise common.bad_request("security_group", "stateless security groups are not "
                                                   "supported")
    name = common.to_str("name", body.get("name", ""))
    if name == store.DEFAULT_GROUP:
        raise exc.SecurityGroupDefaultAlreadyExists()
    description = common.to_str("description", body.get("description") or "")
    store.ensure_default_security_group(owner)
    store.check_quota(owner, "security_group")
    group = store.create_security_group(owner, name, description)
    return common.render_one(request, "security_group", views.security_group(group),
                             status=201)


@common.neutron_faults
def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_security_group")
    _ensure_default(ctxt)
    sql, tags, rest = common.list_filters(request, GROUP_COLUMNS)
    groups = store.list_security_groups(ctxt.project_id, ctxt.is_admin, sql, tags)
    return common.render_list(request, "security_groups",
                              [views.security_group(g) for g in groups], rest)


@common.neutron_faults
def show(request: wsgi.Request, group_id: str) -> webob.Response:
    ctxt = request.context
    group = access.load_security_group(ctxt, group_id)
    common.authorize(ctxt, "get_security_group", group["project_id"])
    return common.render_one(request, "security_group", views.security_group(group))


@common.neutron_faults
def update(request: wsgi.Request, group_id: str) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "security_group")
    common.check_attributes("security_group", body, GROUP_UPDATE, GROUP_READ_ONLY + (
        "project_id", "tenant_id", "stateful"), "PUT")
    group = access.load_security_group(ctxt, group_id)
    common.authorize(ctxt, "update_security_group", group["project_id"])
    values = {key: common.to_str(key, body[key] or "") for key in GROUP_UPDATE if key in body}
    if group["is_default"] and values.get("name", store.DEFAULT_GROUP) != store.DEFAULT_GROUP:
        raise exc.SecurityGroupCannotUpdateDefault()
    updated = store.update_security_group(group_id, values)
    if updated is None:
        raise exc.SecurityGroupNotFound(id=group_id)
    return common.render_one(request, "security_group", views.security_group(updated))


@common.neutron_faults
def delete(request: wsgi.Request, group_id: str) -> webob.Response:
    ctxt = request.context
    group = access.load_security_group(ctxt, group_id)
    common.authorize(ctxt, "delete_security_group", group["project_id"])
    if not store.delete_security_group(group_id, allow_default=ctxt.is_admin):
        raise exc.SecurityGroupNotFound(id=group_id)
    return wsgi.empty_response()


def _protocol(value: Any) -> str | None:
    if value is None or value == "any":
        return None
    key = str(value).lower() if isinstance(value, str | int) and not isinstance(
        value, bool) else None
    if key in PROTOCOLS:
        return PROTOCOLS[key]
    if key in NAMED_PROTOCOLS or (key is not None and key.isdigit() and int(key) <= 255):
        return key
    raise exc.SecurityGroupRuleInvalidProtocol(protocol=value, values=list(NAMED_PROTOCOLS))


def _port_range(protocol: str | None, body: dict[str, Any]) -> tuple[int | None, int | None]:
    low, high = body.get("port_range_min"), body.get("port_range_max")
    if low is None and high is None:
        return None, None
    if protocol is None:
        raise exc.SecurityGroupProtocolRequiredWithPorts()
    if protocol in ("icmp", *ICMPV6):
        icmp_type = common.to_int("port_range_min", low, 0, 255) if low is not None else None
        icmp_code = common.to_int("port_range_max", high, 0, 255) if high is not None else None
        if icmp_type is None and icmp_code is not None:
            raise exc.SecurityGroupMissingIcmpType(value=icmp_code)
        return icmp_type, icmp_code
    if protocol not in PORT_PROTOCOLS:
        raise exc.SecurityGroupInvalidProtoForPortRange(protocol=protocol)
    first = common.to_int("port_range_min", low, 1, 65535) if low is not None else None
    last = common.to_int("port_range_max", high, 1, 65535) if high is not None else None
    first = first if first is not None else last
    last = last if last is not None else first
    assert first is not None and last is not None
    if first > last:
        raise exc.SecurityGroupInvalidPortRange()
    return first, last


@common.neutron_faults
def create_rule(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "security_group_rule")
    common.check_attributes("security_group_rule", body, RULE_CREATE, RULE_READ_ONLY, "POST")
    if "security_group_id" not in body or "direction" not in body:
        missing = "security_group_id" if "security_group_id" not in body else "direction"
        raise common.bad_request("security_group_rule", "Failed to parse request. Required "
                                 f"attribute '{missing}' not specified")
    group = access.load_security_group(ctxt, common.to_str("security_group_id",
                                                           body["security_group_id"]))
    common.authorize(ctxt, "create_security_group_rule", group["project_id"])
    direction = body["direction"]
    if direction not in ("ingress", "egress"):
        raise common.invalid("direction", direction,
                             f"'{direction}' is not in ['ingress', 'egress']")
    ethertype = body.get("ethertype") or "IPv4"
    if ethertype not in ("IPv4", "IPv6"):
        raise common.invalid("ethertype", ethertype,
                             f"'{ethertype}' is not in ['IPv4', 'IPv6']")
    protocol = _protocol(body.get("protocol"))
    if protocol in ICMPV6 and ethertype == "IPv4":
        raise exc.SecurityGroupEthertypeConflictWithProtocol(ethertype=ethertype,
                                                             protocol=protocol)
    port_min, port_max = _port_range(protocol, body)
    remote_ip, remote_group = body.get("remote_ip_prefix"), body.get("remote_group_id")
    if remote_ip is not None and remote_group is not None:
        raise exc.SecurityGroupRemoteGroupAndRemoteIpPrefix()
    if remote_ip is not None:
        try:
            network = ipaddress.ip_network(common.to_str("remote_ip_prefix", remote_ip),
                                           strict=False)
        except ValueError:
            raise common.invalid("remote_ip_prefix", remote_ip,
                                 f"'{remote_ip}' is not a valid IP subnet") from None
        if f"IPv{network.version}" != ethertype:
            raise exc.SecurityGroupRuleParameterConflict(ethertype=ethertype, cidr=remote_ip)
        remote_ip = str(network)
    if remote_group is not None:
        remote_group = access.load_security_group(ctxt, remote_group)["id"]
    values = {"direction": direction, "ethertype": ethertype, "protocol": protocol,
              "port_range_min": port_min, "port_range_max": port_max,
              "remote_ip_prefix": remote_ip, "remote_group_id": remote_group,
              "description": common.to_str("description", body.get("description") or "")}
    rule = store.create_security_group_rule(group["id"], values)
    return common.render_one(request, "security_group_rule", views.security_group_rule(rule),
                             status=201)


@common.neutron_faults
def index_rules(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_security_group_rule")
    _ensure_default(ctxt)
    sql, rest = common.sql_filters(common.query_filters(request), RULE_COLUMNS)
    rules = store.list_security_group_rules(ctxt.project_id, ctxt.is_admin, sql)
    return common.render_list(request, "security_group_rules",
                              [views.security_group_rule(r) for r in rules], rest)


@common.neutron_faults
def show_rule(request: wsgi.Request, rule_id: str) -> webob.Response:
    ctxt = request.context
    rule = access.load_security_group_rule(ctxt, rule_id)
    common.authorize(ctxt, "get_security_group_rule", rule["project_id"])
    return common.render_one(request, "security_group_rule", views.security_group_rule(rule))


@common.neutron_faults
def delete_rule(request: wsgi.Request, rule_id: str) -> webob.Response:
    ctxt = request.context
    rule = access.load_security_group_rule(ctxt, rule_id)
    common.authorize(ctxt, "delete_security_group_rule", rule["project_id"])
    if not store.delete_security_group_rule(rule_id):
        raise exc.SecurityGroupRuleNotFound(id=rule_id)
    return wsgi.empty_response()


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2.0/security-groups", index),
    wsgi.Route("POST", "/v2.0/security-groups", create),
    wsgi.Route("GET", "/v2.0/security-groups/{group_id}", show),
    wsgi.Route("PUT", "/v2.0/security-groups/{group_id}", update),
    wsgi.Route("DELETE", "/v2.0/security-groups/{group_id}", delete),
    wsgi.Route("GET", "/v2.0/security-group-rules", index_rules),
    wsgi.Route("POST", "/v2.0/security-group-rules", create_rule),
    wsgi.Route("GET", "/v2.0/security-group-rules/{rule_id}", show_rule),
    wsgi.Route("DELETE", "/v2.0/security-group-rules/{rule_id}", delete_rule),
)
