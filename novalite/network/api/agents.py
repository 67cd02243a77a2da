"""Agents and availability zones (the ``agent`` and ``availability_zone`` extensions).

Each compute host's data plane reports itself as Neutron's agents would (a Linux
bridge, DHCP, L3 and metadata agent per host) with ``POST /v2.0/agents`` - novalite's
stand-in for Neutron's RPC state report, for admins and service users only. An agent
is alive while its last report is younger than ``[network] agent_down_time``. Listing
agents is for admins: others get an empty list, as Neutron's policy filters it.
Availability zones are those of the DHCP (``network``) and L3 (``router``) agents.
"""

from __future__ import annotations

import datetime
from typing import Any

import webob

from novalite.common import policy, wsgi
from novalite.common.context import RequestContext
from novalite.common.uuidutils import is_uuid
from novalite.conf import CONF
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network import store
from novalite.network.api import common, views

DHCP_AGENT = "DHCP agent"
L3_AGENT = "L3 agent"
ZONE_RESOURCES = {DHCP_AGENT: "network", L3_AGENT: "router"}
UPDATE = ("admin_state_up", "description")
REPORT = ("agent_type", "binary", "topic", "host", "availability_zone", "configurations",
          "resources_synced", "start_flag")
READ_ONLY = ("id", "agent_type", "binary", "topic", "host", "availability_zone",
             "configurations", "alive", "created_at", "started_at", "heartbeat_timestamp",
             "resources_synced")
COLUMNS = {"id": ("id", "str"), "agent_type": ("agent_type", "str"),
           "binary": ("binary", "str"), "topic": ("topic", "str"), "host": ("host", "str"),
           "availability_zone": ("availability_zone", "str"),
           "admin_state_up": ("admin_state_up", "bool"),
           "description": ("description", "str")}


def is_alive(agent: dict[str, Any], now: datetime.datetime | None = None) -> bool:
    age = (now or utcnow()) - agent["heartbeat_timestamp"]
    return age.total_seconds() <= CONF.network.agent_down_time


def zones(agent_type: str) -> list[str]:
    """The availability zones with an alive, enabled agent of ``agent_type``."""
    return sorted({agent["availability_zone"] for agent in store.list_agents(
        {"agent_type": [agent_type]}) if agent["availability_zone"]
        and agent["admin_state_up"] and is_alive(agent)})


def _may(ctxt: RequestContext, action: str) -> bool:
    return policy.check(ctxt, f"network:{action}", {"project_id": ctxt.project_id or ""})


def _load(ctxt: RequestContext, agent_id: str, action: str) -> dict[str, Any]:
    agent = store.get_agent(agent_id) if is_uuid(agent_id) else None
    if agent is None or not _may(ctxt, "get_agent"):
        raise exc.AgentNotFound(id=agent_id)
    common.authorize(ctxt, action, ctxt.project_id)
    return agent


@common.neutron_faults
def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    if not _may(ctxt, "get_agent"):
        return common.render_list(request, "agents", [])
    filters = common.query_filters(request)
    alive = filters.pop("alive", None)
    sql, rest = common.sql_filters(filters, COLUMNS)
    now = utcnow()
    agents = [views.agent(agent, is_alive(agent, now)) for agent in store.list_agents(sql)]
    if alive is not None:
        wanted = {common.to_bool("alive", value) for value in alive}
        agents = [agent for agent in agents if agent["alive"] in wanted]
    return common.render_list(request, "agents", agents, rest)


@common.neutron_faults
def show(request: wsgi.Request, agent_id: str) -> webob.Response:
    agent = _load(request.context, agent_id, "get_agent")
    return common.render_one(request, "agent", views.agent(agent, is_alive(agent)))


@common.neutron_faults
def update(request: wsgi.Request, agent_id: str) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "agent")
    common.check_attributes("agent", body, UPDATE, READ_ONLY, "PUT")
    _load(ctxt, agent_id, "update_agent")
    values: dict[str, Any] = {}
    if "admin_state_up" in body:
        values["admin_state_up"] = common.to_bool("admin_state_up", body["admin_state_up"])
    if "description" in body:
        values["description"] = (None if body["description"] is None
                                 else common.to_str("description", body["description"]))
    agent = store.update_agent(agent_id, values)
    if agent is None:
        raise exc.AgentNotFound(id=agent_id)
    return common.render_one(request, "agent", views.agent(agent, is_alive(agent)))


@common.neutron_faults
def delete(request: wsgi.Request, agent_id: str) -> webob.Response:
    _load(request.context, agent_id, "delete_agent")
    if not store.delete_agent(agent_id):
        raise exc.AgentNotFound(id=agent_id)
    return wsgi.empty_response()


@common.neutron_faults
def report(request: wsgi.Request) -> webob.Response:
    """A host's data plane reports one of its agents (novalite's own call)."""
    ctxt = request.context
    common.authorize(ctxt, "report_agent_state", ctxt.project_id)
    body = common.resource_body(request, "agent")
    common.check_attributes("agent", body, REPORT, (), "POST")
    for key in ("agent_type", "binary", "topic", "host"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise common.bad_request("agent", f"'{key}' is required")
        common.to_str(key, body[key])
    configurations = body.get("configurations") or {}
    if not isinstance(configurations, dict):
        raise common.invalid("configurations", configurations, "expected an object")
    zone = body.get("availability_zone")
    values = {"agent_type": body["agent_type"], "binary": body["binary"],
              "topic": body["topic"], "host": body["host"],
              "availability_zone": None if zone is None else common.to_str(
                  "availability_zone", zone),
              "configurations": configurations,
              "resources_synced": (None if body.get("resources_synced") is None else
                                   common.to_bool("resources_synced",
                                                  body["resources_synced"]))}
    agent = store.report_state(values, start_flag=common.to_bool(
        "start_flag", body.get("start_flag", False)))
    return common.render_one(request, "agent", views.agent(agent, True))


@common.neutron_faults
def availability_zones(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_availability_zone")
    now = utcnow()
    found: dict[tuple[str, str], bool] = {}
    for agent in store.list_agents({"agent_type": sorted(ZONE_RESOURCES)}):
        if not agent["availability_zone"]:
            continue
        key = (agent["availability_zone"], ZONE_RESOURCES[agent["agent_type"]])
        found[key] = found.get(key, False) or (agent["admin_state_up"]
                                               and is_alive(agent, now))
    listed = [{"name": name, "resource": resource,
               "state": "available" if up else "unavailable"}
              for (name, resource), up in sorted(found.items())]
    return common.render_list(request, "availability_zones", listed,
                              common.query_filters(request))


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2.0/agents", index),
    wsgi.Route("POST", "/v2.0/agents", report),
    wsgi.Route("GET", "/v2.0/agents/{agent_id}", show),
    wsgi.Route("PUT", "/v2.0/agents/{agent_id}", update),
    wsgi.Route("DELETE", "/v2.0/agents/{agent_id}", delete),
    wsgi.Route("GET", "/v2.0/availability_zones", availability_zones),
)
