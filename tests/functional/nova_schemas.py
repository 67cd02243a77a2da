"""Every Compute API response of the functional tests checked against Nova's response
schema for its microversion.

The schemas are tempest's (``tempest.lib.api_schema.response.compute``: the ones its
Nova API tests validate every answer of a real Nova with; most say
``additionalProperties: False``, so a field Nova does not have fails). ``SchemaCheck``
wraps the Compute API's WSGI app in the functional ``cloud``: each successful JSON
answer whose route is in ``ROUTES`` is validated with the schema tempest's own client
picks for the answer's ``OpenStack-API-Version``; what does not match is kept in
``violations`` and the fixture fails the test with it. ``checked`` counts what was
checked, per route.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from tempest.lib import exceptions as tempest_exceptions
from tempest.lib.common import api_version_request, rest_client

UUID = r"[^/]+"
# (method, path after /v2.1, tempest client module, client class, schema variable,
#  schema attribute)
ROUTES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("GET", r"/servers", "servers_client", "ServersClient", "schema", "list_servers"),
    ("GET", r"/servers/detail", "servers_client", "ServersClient", "schema",
     "list_servers_detail"),
    ("GET", rf"/servers/{UUID}", "servers_client", "ServersClient", "schema", "get_server"),
    ("PUT", rf"/servers/{UUID}", "servers_client", "ServersClient", "schema",
     "update_server"),
    ("GET", rf"/servers/{UUID}/ips", "servers_client", "ServersClient", "schema",
     "list_addresses"),
    ("GET", rf"/servers/{UUID}/ips/[^/]+", "servers_client", "ServersClient", "schema",
     "list_addresses_by_network"),
    ("GET", rf"/servers/{UUID}/os-server-password", "servers_client", "ServersClient",
     "schema", "show_password"),
    ("GET", rf"/servers/{UUID}/metadata", "servers_client", "ServersClient", "schema",
     "list_server_metadata"),
    ("PUT", rf"/servers/{UUID}/metadata", "servers_client", "ServersClient", "schema",
     "set_server_metadata"),
    ("POST", rf"/servers/{UUID}/metadata", "servers_client", "ServersClient", "schema",
     "update_server_metadata"),
    ("GET", rf"/servers/{UUID}/metadata/[^/]+", "servers_client", "ServersClient", "schema",
     "set_show_server_metadata_item"),
    ("PUT", rf"/servers/{UUID}/metadata/[^/]+", "servers_client", "ServersClient", "schema",
     "set_show_server_metadata_item"),
    ("GET", rf"/servers/{UUID}/diagnostics", "servers_client", "ServersClient", "schema",
     "show_server_diagnostics"),
    ("GET", rf"/servers/{UUID}/os-instance-actions", "servers_client", "ServersClient",
     "schema", "list_instance_actions"),
    ("GET", rf"/servers/{UUID}/os-instance-actions/[^/]+", "servers_client", "ServersClient",
     "schema", "show_instance_action"),
    ("GET", rf"/servers/{UUID}/os-security-groups", "servers_client", "ServersClient",
     "security_groups_schema", "list_security_groups"),
    ("GET", rf"/servers/{UUID}/tags", "servers_client", "ServersClient", "schema",
     "list_tags"),
    ("POST", rf"/servers/{UUID}/remote-consoles", "servers_client", "ServersClient",
     "schema", "get_remote_consoles"),
    ("GET", r"/flavors", "flavors_client", "FlavorsClient", "schema", "list_flavors"),
    ("GET", r"/flavors/detail", "flavors_client", "FlavorsClient", "schema",
     "list_flavors_details"),
    ("GET", r"/flavors/[^/]+", "flavors_client", "FlavorsClient", "schema",
     "create_update_get_flavor_details"),
    ("POST", r"/flavors", "flavors_client", "FlavorsClient", "schema",
     "create_update_get_flavor_details"),
    ("PUT", r"/flavors/[^/]+", "flavors_client", "FlavorsClient", "schema",
     "create_update_get_flavor_details"),
    ("GET", r"/flavors/[^/]+/os-extra_specs", "flavors_client", "FlavorsClient",
     "schema_extra_specs", "set_get_flavor_extra_specs"),
    ("POST", r"/flavors/[^/]+/os-extra_specs", "flavors_client", "FlavorsClient",
     "schema_extra_specs", "set_get_flavor_extra_specs"),
    ("GET", r"/flavors/[^/]+/os-extra_specs/[^/]+", "flavors_client", "FlavorsClient",
     "schema_extra_specs", "set_get_flavor_extra_specs_key"),
    ("PUT", r"/flavors/[^/]+/os-extra_specs/[^/]+", "flavors_client", "FlavorsClient",
     "schema_extra_specs", "set_get_flavor_extra_specs_key"),
    ("GET", r"/flavors/[^/]+/os-flavor-access", "flavors_client", "FlavorsClient",
     "schema_access", "add_remove_list_flavor_access"),
    ("GET", r"/os-keypairs", "keypairs_client", "KeyPairsClient", "schema", "list_keypairs"),
    ("GET", r"/os-keypairs/[^/]+", "keypairs_client", "KeyPairsClient", "schema",
     "get_keypair"),
    ("POST", r"/os-keypairs", "keypairs_client", "KeyPairsClient", "schema",
     "create_keypair"),
    ("GET", r"/os-server-groups", "server_groups_client", "ServerGroupsClient", "schema",
     "list_server_groups"),
    ("GET", r"/os-server-groups/[^/]+", "server_groups_client", "ServerGroupsClient",
     "schema", "create_show_server_group"),
    ("POST", r"/os-server-groups", "server_groups_client", "ServerGroupsClient", "schema",
     "create_show_server_group"),
    ("GET", r"/os-aggregates", "aggregates_client", "AggregatesClient", "schema",
     "list_aggregates"),
    ("GET", r"/os-aggregates/[^/]+", "aggregates_client", "AggregatesClient", "schema",
     "get_aggregate"),
    ("POST", r"/os-aggregates", "aggregates_client", "AggregatesClient", "schema",
     "create_aggregate"),
    ("PUT", r"/os-aggregates/[^/]+", "aggregates_client", "AggregatesClient", "schema",
     "update_aggregate"),
    ("GET", r"/os-hypervisors", "hypervisor_client", "HypervisorClient", "schema",
     "list_search_hypervisors"),
    ("GET", r"/os-hypervisors/detail", "hypervisor_client", "HypervisorClient", "schema",
     "list_hypervisors_detail"),
    ("GET", r"/os-hypervisors/statistics", "hypervisor_client", "HypervisorClient",
     "schema", "get_hypervisor_statistics"),
    ("GET", r"/os-hypervisors/[^/]+", "hypervisor_client", "HypervisorClient", "schema",
     "get_hypervisor"),
    ("GET", r"/os-hypervisors/[^/]+/uptime", "hypervisor_client", "HypervisorClient",
     "schema", "get_hypervisor_uptime"),
    ("GET", r"/os-hypervisors/[^/]+/servers", "hypervisor_client", "HypervisorClient",
     "schema", "get_hypervisors_servers"),
    ("GET", r"/os-hypervisors/[^/]+/search", "hypervisor_client", "HypervisorClient",
     "schema", "list_search_hypervisors"),
    ("GET", r"/os-migrations", "migrations_client", "MigrationsClient", "schema",
     "list_migrations"),
    ("GET", r"/images", "images_client", "ImagesClient", "schema", "list_images"),
    ("GET", r"/images/detail", "images_client", "ImagesClient", "schema",
     "list_images_details"),
    ("GET", r"/images/[^/]+", "images_client", "ImagesClient", "schema", "get_image"),
    ("GET", r"/images/[^/]+/metadata", "images_client", "ImagesClient", "schema",
     "image_metadata"),
    ("PUT", r"/images/[^/]+/metadata", "images_client", "ImagesClient", "schema",
     "image_metadata"),
    ("POST", r"/images/[^/]+/metadata", "images_client", "ImagesClient", "schema",
     "image_metadata"),
    ("GET", r"/images/[^/]+/metadata/[^/]+", "images_client", "ImagesClient", "schema",
     "image_meta_item"),
    ("PUT", r"/images/[^/]+/metadata/[^/]+", "images_client", "ImagesClient", "schema",
     "image_meta_item"),
    ("GET", r"/extensions", "extensions_client", "ExtensionsClient", "schema",
     "list_extensions"),
    ("GET", r"/limits", "limits_client", "LimitsClient", "schema", "get_limit"),
    ("GET", r"/os-quota-sets/[^/]+/detail", "quotas_client", "QuotasClient", "schema",
     "get_quota_set_details"),
    ("GET", r"/os-quota-sets/[^/]+/defaults", "quotas_client", "QuotasClient", "schema",
     "get_quota_set"),
    ("GET", r"/os-quota-sets/[^/]+", "quotas_client", "QuotasClient", "schema",
     "get_quota_set"),
    ("PUT", r"/os-quota-sets/[^/]+", "quotas_client", "QuotasClient", "schema",
     "update_quota_set"),
    ("GET", r"/os-quota-class-sets/[^/]+", "quota_classes_client", "QuotaClassesClient",
     "schema", "get_quota_class_set"),
    ("PUT", r"/os-quota-class-sets/[^/]+", "quota_classes_client", "QuotaClassesClient",
     "schema", "update_quota_class_set"),
    ("GET", r"/os-services", "services_client", "ServicesClient", "schema", "list_services"),
    ("GET", r"/os-availability-zone", "availability_zone_client",
     "AvailabilityZoneClient", "schema", "list_availability_zone_list"),
    ("GET", r"/os-availability-zone/detail", "availability_zone_client",
     "AvailabilityZoneClient", "schema", "list_availability_zone_list_detail"),
    ("GET", r"/os-simple-tenant-usage", "tenant_usages_client", "TenantUsagesClient",
     "tenant_usages", "list_tenant_usage"),
    ("GET", r"/os-simple-tenant-usage/[^/]+", "tenant_usages_client", "TenantUsagesClient",
     "tenant_usages", "get_tenant_usage"),
    ("GET", r"/os-instance_usage_audit_log", "instance_usage_audit_log_client",
     "InstanceUsagesAuditLogClient", "schema", "list_instance_usage_audit_log"),
    ("GET", r"/os-hosts", "hosts_client", "HostsClient", "schema", "list_hosts"),
    ("GET", r"/os-hosts/[^/]+", "hosts_client", "HostsClient", "schema", "get_host_detail"),
    ("POST", r"/os-server-external-events", "server_external_events_client",
     "ServerExternalEventsClient", "schema", "create"),
    ("GET", r"/os-security-groups", "security_groups_client", "SecurityGroupsClient",
     "schema", "list_security_groups"),
    ("GET", r"/os-security-groups/[^/]+", "security_groups_client", "SecurityGroupsClient",
     "schema", "get_security_group"),
    ("POST", r"/os-security-groups", "security_groups_client", "SecurityGroupsClient",
     "schema", "create_security_group"),
    ("PUT", r"/os-security-groups/[^/]+", "security_groups_client", "SecurityGroupsClient",
     "schema", "update_security_group"),
    ("POST", r"/os-security-group-rules", "security_group_rules_client",
     "SecurityGroupRulesClient", "schema", "create_security_group_rule"),
    ("GET", r"/os-floating-ips", "floating_ips_client", "FloatingIPsClient", "schema",
     "list_floating_ips"),
    ("GET", r"/os-floating-ips/[^/]+", "floating_ips_client", "FloatingIPsClient", "schema",
     "create_get_floating_ip"),
    ("POST", r"/os-floating-ips", "floating_ips_client", "FloatingIPsClient", "schema",
     "create_get_floating_ip"),
    ("GET", r"/os-tenant-networks", "tenant_networks_client", "TenantNetworksClient",
     "tenant_networks", "list_tenant_networks"),
    ("GET", r"/os-tenant-networks/[^/]+", "tenant_networks_client", "TenantNetworksClient",
     "tenant_networks", "get_tenant_network"),
    ("GET", rf"/servers/{UUID}/os-interface", "interfaces_client", "InterfacesClient",
     "schema", "list_interfaces"),
    ("GET", rf"/servers/{UUID}/os-interface/[^/]+", "interfaces_client", "InterfacesClient",
     "schema", "get_create_interfaces"),
)
_COMPILED = [(method, re.compile(f"^{path}/?$"), rest) for method, path, *rest in ROUTES]
_PREFIX = re.compile(r"^/v2\.1(/[0-9a-f]{32})?")
_VERSION = re.compile(r"compute (\d+\.\d+)")


def _external_events(schema: dict[str, Any], version: str) -> dict[str, Any]:
    """Tempest's events schema is 2.1's: Nova answers 207 when some event failed and
    takes the names of 2.51, 2.76, 2.82 and 2.93 (its api-ref)."""
    from novalite.objects.instance_external_event import NAMES_SINCE

    patched = copy.deepcopy(schema)
    patched["status_code"] = [200, 207]
    name = patched["response_body"]["properties"]["events"]["items"]["properties"]["name"]
    name["enum"] = [*name["enum"], *NAMES_SINCE]
    return patched


def _nullable(value: dict[str, Any]) -> None:
    kind = value.get("type")
    if isinstance(kind, str):
        value["type"] = [kind, "null"]


def _actions(schema: dict[str, Any], version: str) -> dict[str, Any]:
    """An action a periodic task started (auto-confirm, reclaim) has no user or project,
    and an event the API recorded no host: Nova's InstanceAction(Event) fields are
    nullable; tempest's schema, made from user actions, says string."""
    patched = copy.deepcopy(schema)
    body = patched["response_body"]["properties"]
    action = (body["instanceActions"]["items"] if "instanceActions" in body
              else body["instanceAction"])
    _nullable(action["properties"]["user_id"])
    _nullable(action["properties"]["project_id"])
    events = action["properties"].get("events")
    if events and "host" in events["items"]["properties"]:
        _nullable(events["items"]["properties"]["host"])
    return patched


# what 2.88 took out of the hypervisor's show and detail (Nova's api-ref)
GONE_AT_288 = ("current_workload", "cpu_info", "vcpus", "vcpus_used", "free_disk_gb",
               "local_gb", "local_gb_used", "disk_available_least", "free_ram_mb",
               "memory_mb", "memory_mb_used", "running_vms")


def _hypervisor_288(schema: dict[str, Any], version: str) -> dict[str, Any]:
    """From 2.88 the hypervisor's show and detail have ``uptime`` and no longer the
    counters of GONE_AT_288 (Nova's api-ref); tempest's schemas stop at 2.53 there."""
    if api_version_request.APIVersionRequest(version) < api_version_request.APIVersionRequest(
            "2.88"):
        return schema
    patched = copy.deepcopy(schema)
    body = patched["response_body"]["properties"]
    item = body["hypervisor"] if "hypervisor" in body else body["hypervisors"]["items"]
    for name in GONE_AT_288:
        item["properties"].pop(name, None)
    item["required"] = [name for name in item.get("required", ()) if name not in GONE_AT_288]
    item["properties"]["uptime"] = {"type": ["string", "null"]}
    return patched


def _empty_tenant_usage(schema: dict[str, Any], version: str) -> dict[str, Any]:
    """A project with no usage in the period: Nova's show answers ``{"tenant_usage": {}}``
    (simple_tenant_usage.py: ``usage = {}`` when the period has none); tempest's schema,
    made from a project with servers, requires the totals."""
    patched = copy.deepcopy(schema)
    usage = patched["response_body"]["properties"]["tenant_usage"]
    patched["response_body"]["properties"]["tenant_usage"] = {
        "anyOf": [usage, {"type": "object", "maxProperties": 0}]}
    return patched


# what tempest's schemas miss of Nova's api-ref
PATCHES: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "ServerExternalEventsClient.create": _external_events,
    "ServersClient.list_instance_actions": _actions,
    "ServersClient.show_instance_action": _actions,
    "HypervisorClient.get_hypervisor": _hypervisor_288,
    "HypervisorClient.list_hypervisors_detail": _hypervisor_288,
    "TenantUsagesClient.get_tenant_usage": _empty_tenant_usage,
}


class _Status:
    def __init__(self, status: int) -> None:
        self.status = status


def schema_for(module: str, cls: str, variable: str, attribute: str, version: str
               ) -> dict[str, Any] | None:
    """Tempest's schema for ``version`` (None when tempest has none that far)."""
    loaded = importlib.import_module(f"tempest.lib.services.compute.{module}")
    client = getattr(loaded, cls)
    holder = getattr(loaded, variable, None)
    infos = getattr(client, "schema_versions_info", None)
    if infos and variable in ("schema", "_schema"):
        wanted = api_version_request.APIVersionRequest(version)
        holder = None
        for info in infos:
            low = api_version_request.APIVersionRequest(info["min"])
            high = api_version_request.APIVersionRequest(info["max"])
            if (low.is_null() or wanted >= low) and (high.is_null() or wanted <= high):
                holder = info["schema"]
                break
    found = getattr(holder, attribute, None) if holder is not None else None
    return found if isinstance(found, dict) else None


class SchemaCheck:
    """WSGI middleware: validates the Compute API's successful JSON answers."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.violations: list[str] = []
        self.checked: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # what wsgi.Server reads of the app it serves (the Guard's fault, its limits)
        return getattr(self.app, name)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = _PREFIX.sub("", environ.get("PATH_INFO", ""), count=1)
        query = environ.get("QUERY_STRING", "")
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split()[0])
            seen["headers"] = headers
            return start_response(status, headers, exc_info)

        chunks = list(self.app(environ, capture))
        self._check(method, path, query, seen, b"".join(chunks))
        return chunks

    def _check(self, method: str, path: str, query: str, seen: dict[str, Any],
               body: bytes) -> None:
        status = seen.get("status", 500)
        if not 200 <= status < 300 or not body:
            return
        headers = {key.lower(): value for key, value in seen.get("headers", [])}
        if "json" not in headers.get("content-type", ""):
            return
        found = _VERSION.search(headers.get("openstack-api-version", ""))
        version = found.group(1) if found else "2.1"
        route = next((rest for m, pattern, rest in _COMPILED
                      if m == method and pattern.match(path)), None)
        if route is None:
            return
        schema = schema_for(*route, version=version)
        if schema is None:
            return
        patch = PATCHES.get(f"{route[1]}.{route[3]}")
        if patch is not None:
            schema = patch(schema, version)
        try:
            document = json.loads(body)
            rest_client.RestClient.validate_response(schema, _Status(status), document)
        except (tempest_exceptions.InvalidHTTPResponseBody,
                tempest_exceptions.InvalidHttpSuccessCode, ValueError) as error:
            with self._lock:
                self.violations.append(f"{method} {path}?{query} at {version} "
                                       f"({route[1]}.{route[3]}): {str(error)[:1500]}")
        with self._lock:
            self.checked[f"{method} {route[3]}"] += 1
