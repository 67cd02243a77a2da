"""Response bodies as Cinder's view builders give them per microversion and policy
(``cinder/api/v3/views/{volumes,snapshots,attachments,types}.py``)."""

from __future__ import annotations

from typing import Any

from novalite.common import wsgi
from novalite.conf import CONF
from novalite.volume.api import common
from novalite.volume.api import microversions as mv

SERVICE_HOST = "novalite"


def host_of(volume: dict[str, Any]) -> str:
    """``os-vol-host-attr:host``: Cinder's ``host@backend#pool``."""
    return f"{CONF.host}@{volume['backend']}#{volume['backend']}"


def volume_summary(request: wsgi.Request, volume: dict[str, Any]) -> dict[str, Any]:
    return {"id": volume["id"], "name": volume["name"],
            "links": common.links(request, "volumes", volume["id"])}


def _attachments(volume: dict[str, Any], is_admin: bool) -> list[dict[str, Any]]:
    return [{"id": volume["id"], "attachment_id": attachment["id"],
             "volume_id": volume["id"], "server_id": attachment["instance_uuid"],
             "host_name": attachment["attached_host"] if is_admin else None,
             "device": attachment["mountpoint"],
             "attached_at": common.isotime(attachment["attach_time"])}
            for attachment in volume["attachments"] if attachment["attach_status"] == "attached"]


def volume_detail(request: wsgi.Request, volume: dict[str, Any]) -> dict[str, Any]:
    ctxt = request.context
    owner = volume["project_id"]
    body: dict[str, Any] = {
        "id": volume["id"], "status": volume["status"], "size": volume["size"],
        "availability_zone": volume["availability_zone"],
        "created_at": common.isotime(volume["created_at"]),
        "updated_at": common.isotime(volume["updated_at"]),
        "attachments": _attachments(volume, ctxt.is_admin),
        "name": volume["name"], "description": volume["description"],
        "volume_type": volume["volume_type"], "snapshot_id": volume["snapshot_id"],
        "source_volid": volume["source_volid"], "metadata": volume["metadata"],
        "links": common.links(request, "volumes", volume["id"]),
        "user_id": volume["user_id"], "bootable": str(bool(volume["bootable"])).lower(),
        "encrypted": False, "replication_status": None, "consistencygroup_id": None,
        "multiattach": bool(volume["multiattach"]),
    }
    if ctxt.is_admin:
        body["migration_status"] = volume["migration_status"]
    if common.allowed(ctxt, "volume_extension:volume_tenant_attribute", owner):
        body["os-vol-tenant-attr:tenant_id"] = owner
    if common.allowed(ctxt, "volume_extension:volume_host_attribute", owner):
        body["os-vol-host-attr:host"] = host_of(volume)
    if common.allowed(ctxt, "volume_extension:volume_mig_status_attribute", owner):
        body["os-vol-mig-status-attr:migstat"] = volume["migration_status"]
        body["os-vol-mig-status-attr:name_id"] = None
    if volume["image_metadata"] and common.allowed(
            ctxt, "volume_extension:volume_image_metadata:show", owner):
        body["volume_image_metadata"] = volume["image_metadata"]
    if common.at_least(request, mv.GROUP_VOLUME):
        body["group_id"] = None
    if ctxt.is_admin and common.at_least(request, mv.VOLUME_DETAIL_PROVIDER_ID):
        body["provider_id"] = None
    if common.at_least(request, mv.VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS):
        body["shared_targets"] = False
        body["service_uuid"] = None
    if ctxt.is_admin and common.at_least(request, mv.VOLUME_CLUSTER_NAME):
        body["cluster_name"] = None
    if common.at_least(request, mv.VOLUME_TYPE_ID_IN_VOLUME_DETAIL):
        body["volume_type_id"] = volume["volume_type_id"]
    if common.at_least(request, mv.ENCRYPTION_KEY_ID_IN_DETAILS):
        body["encryption_key_id"] = None
    if common.at_least(request, mv.USE_QUOTA):
        body["consumes_quota"] = True
    return body


def volume_list(request: wsgi.Request, volumes: list[dict[str, Any]], detailed: bool,
                count: int, limit: int | None, collection: str = "volumes"
                ) -> dict[str, Any]:
    view = volume_detail if detailed else volume_summary
    body: dict[str, Any] = {"volumes": [view(request, volume) for volume in volumes]}
    if limit and len(volumes) == limit:
        body["volumes_links"] = common.next_link(request, collection, volumes[-1]["id"])
    if common.at_least(request, mv.SUPPORT_COUNT_INFO) and "with_count" in request.GET \
            and common.parse_bool(request.GET["with_count"], "with_count"):
        body["count"] = count
    return body


def snapshot_detail(request: wsgi.Request, snapshot: dict[str, Any]) -> dict[str, Any]:
    ctxt = request.context
    body: dict[str, Any] = {
        "id": snapshot["id"], "created_at": common.isotime(snapshot["created_at"]),
        "updated_at": common.isotime(snapshot["updated_at"]), "name": snapshot["name"],
        "description": snapshot["description"], "volume_id": snapshot["volume_id"],
        "status": snapshot["status"], "size": snapshot["size"],
        "metadata": snapshot["metadata"]}
    if common.allowed(ctxt, "volume_extension:extended_snapshot_attributes",
                      snapshot["project_id"]):
        body["os-extended-snapshot-attributes:progress"] = snapshot["progress"]
        body["os-extended-snapshot-attributes:project_id"] = snapshot["project_id"]
    if common.at_least(request, mv.GROUP_SNAPSHOTS):
        body["group_snapshot_id"] = None
    if common.at_least(request, mv.SNAPSHOT_LIST_USER_ID):
        body["user_id"] = snapshot["user_id"]
    if common.at_least(request, mv.USE_QUOTA):
        body["consumes_quota"] = True
    return body


def snapshot_summary(request: wsgi.Request, snapshot: dict[str, Any]) -> dict[str, Any]:
    return snapshot_detail(request, snapshot)


def attachment_summary(attachment: dict[str, Any]) -> dict[str, Any]:
    return {"id": attachment["id"], "status": attachment["attach_status"],
            "instance": attachment["instance_uuid"], "volume_id": attachment["volume_id"]}


def attachment_detail(attachment: dict[str, Any]) -> dict[str, Any]:
    return {**attachment_summary(attachment),
            "attached_at": common.isotime(attachment["attach_time"]) or "",
            "detached_at": common.isotime(attachment["detach_time"]) or "",
            "attach_mode": attachment["attach_mode"],
            "connection_info": attachment["connection_info"]}


def volume_type(request: wsgi.Request, volume_type: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": volume_type["id"], "name": volume_type["name"],
        "description": volume_type["description"], "is_public": volume_type["is_public"],
        "os-volume-type-access:is_public": volume_type["is_public"],
        "qos_specs_id": None}
    if common.allowed(request.context, "volume_extension:access_types_extra_specs"):
        body["extra_specs"] = volume_type["extra_specs"]
    return body
