"""``GET /extensions`` and ``/extensions/{alias}``: the v2.0-era extension list that Nova
still answers at every microversion (its entries name, alias, describe; namespace and
updated are Nova's fixed values). The list names the extensions this Compute API has."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request

NAMESPACE = "http://docs.openstack.org/compute/ext/fake_xml"
UPDATED = "2014-12-03T00:00:00Z"
# (name, alias, description)
EXTENSIONS: tuple[tuple[str, str, str], ...] = (
    ("AdminActions", "os-admin-actions", "Enable admin-only server actions."),
    ("Aggregates", "os-aggregates", "Admin-only aggregate administration."),
    ("AttachInterfaces", "os-attach-interfaces", "Attach interface support."),
    ("AvailabilityZone", "os-availability-zone", "Availability zone support."),
    ("ConsoleAuthTokens", "os-console-auth-tokens", "Console token authentication support."),
    ("Consoles", "os-consoles", "Interactive Console support."),
    ("CreateBackup", "os-create-backup", "Create a backup of a server."),
    ("DeferredDelete", "os-deferred-delete", "Instance deferred delete."),
    ("DiskConfig", "OS-DCF", "Disk Management Extension."),
    ("Evacuate", "os-evacuate", "Enables server evacuation."),
    ("ExtendedAvailabilityZone", "OS-EXT-AZ", "Extended Availability Zone support."),
    ("ExtendedServerAttributes", "OS-EXT-SRV-ATTR", "Extended Server Attributes support."),
    ("ExtendedStatus", "OS-EXT-STS", "Extended Status support."),
    ("ExtendedIps", "OS-EXT-IPS", "Adds type parameter to the ip list."),
    ("ExtendedIpsMac", "OS-EXT-IPS-MAC", "Adds mac address parameter to the ip list."),
    ("FlavorAccess", "os-flavor-access", "Flavor access support."),
    ("FlavorDisabled", "OS-FLV-DISABLED", "Support to show the disabled status of a flavor."),
    ("FlavorExtraData", "OS-FLV-EXT-DATA", "Provide additional data for flavors."),
    ("FlavorExtraSpecs", "os-flavor-extra-specs", "Flavors extra specs support."),
    ("FlavorManage", "os-flavor-manage", "Flavor create/delete API support."),
    ("FlavorRxtx", "os-flavor-rxtx", "Support to show the rxtx status of a flavor."),
    ("FlavorSwap", "os-flavor-swap", "Support to show the swap status of a flavor."),
    ("Hosts", "os-hosts", "Admin-only host administration."),
    ("Hypervisors", "os-hypervisors", "Admin-only hypervisor administration."),
    ("ImageSize", "OS-EXT-IMG-SIZE", "Adds image size to image listings."),
    ("InstanceActions", "os-instance-actions", "View a log of actions and events taken on "
                                               "an instance."),
    ("InstanceUsageAuditLog", "os-instance_usage_audit_log", "Admin-only Task Log "
                                                              "Monitoring."),
    ("Keypairs", "os-keypairs", "Keypair Support."),
    ("Lock", "os-lock-server", "Enable lock/unlock server actions."),
    ("MigrateServer", "os-migrate-server", "Enable migrate and live-migrate server actions."),
    ("MultipleCreate", "os-multiple-create", "Allow multiple create in the Create Server "
                                             "v2.1 API."),
    ("PauseServer", "os-pause-server", "Enable pause/unpause server actions."),
    ("QuotaClasses", "os-quota-class-sets", "Quota classes management support."),
    ("Quotas", "os-quota-sets", "Quotas management support."),
    ("Rescue", "os-rescue", "Instance rescue mode."),
    ("ServerDiagnostics", "os-server-diagnostics", "Allow Admins to view server "
                                                   "diagnostics through server id."),
    ("ServerGroups", "os-server-groups", "Server group support."),
    ("ServerStartStop", "os-server-start-stop", "Start/Stop instance compute API support."),
    ("ServerUsage", "OS-SRV-USG", "Adds launched_at and terminated_at on Servers."),
    ("Services", "os-services", "Services support."),
    ("Shelve", "os-shelve", "Instance shelve mode."),
    ("SimpleTenantUsage", "os-simple-tenant-usage", "Simple tenant usage extension."),
    ("SuspendServer", "os-suspend-server", "Enable suspend/resume server actions."),
    ("UsedLimits", "os-used-limits", "Provide data on limited resources that are being "
                                     "used."),
)


def _view(name: str, alias: str, description: str) -> dict[str, Any]:
    return {"name": name, "alias": alias, "description": description,
            "namespace": NAMESPACE, "updated": UPDATED, "links": []}


def index(request: Request) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:extensions")
    return wsgi.json_response({"extensions": [_view(*entry) for entry in
                                              sorted(EXTENSIONS, key=lambda e: e[1])]})


def show(request: Request, alias: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:extensions")
    for entry in EXTENSIONS:
        if entry[1] == alias:
            return wsgi.json_response({"extension": _view(*entry)})
    raise exception.NotFound(message="The resource could not be found.")


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/extensions", index),
    wsgi.Route("GET", "/extensions/{alias}", show),
)
