"""Server actions that repair a server or act on its guest and ports: rebuild, rescue,
unrescue, os-resetState, injectNetworkInfo, trigger_crash_dump (2.17), changePassword,
restore, addSecurityGroup and removeSecurityGroup, addFloatingIp and removeFloatingIp
(to 2.43)."""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import server_actions as schemas
from novalite.api.compute.servers import compute_api
from novalite.api.compute.views import servers as views
from novalite.common import exception, wsgi
from novalite.common.wsgi import Request
from novalite.conf import CONF

Handler = Any

# What a rebuild's answer leaves out before 2.75 (from then on it is the server's
# full view, as GET shows it).
_NOT_IN_REBUILD_BEFORE_275 = (
    "OS-EXT-AZ:availability_zone", "config_drive", "host_status", "key_name",
    "OS-SRV-USG:launched_at", "OS-SRV-USG:terminated_at", "security_groups",
    "os-extended-volumes:volumes_attached", "server_groups")
_PREFIXES_NOT_IN_REBUILD_BEFORE_275 = ("OS-EXT-SRV-ATTR:", "OS-EXT-STS:")


def _rebuild_view(request: Request, instance: dict[str, Any]) -> dict[str, Any]:
    body = views.show(request, instance)
    if common.at_least(request, "2.75"):
        return body
    for key in list(body):
        if key in _NOT_IN_REBUILD_BEFORE_275 or key.startswith(
                _PREFIXES_NOT_IN_REBUILD_BEFORE_275):
            del body[key]
    body["addresses"] = {name: [{"version": entry["version"], "addr": entry["addr"]}
                                for entry in entries]
                         for name, entries in body.get("addresses", {}).items()}
    return body


def _base64(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise exception.ValidationError(
            message=f"Invalid input for field/attribute {field}. Value: <hidden>. "
                    f"'{field}' is not valid base64") from None
    return value


def rebuild(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    validation.validate(schemas.rebuild(common.version(request)), body, "rebuild")
    password = body.get("adminPass") or secrets.token_urlsafe(9)
    image_ref = str(body["imageRef"]).rstrip("/").rsplit("/", 1)[-1]
    options: dict[str, Any] = {
        "name": body.get("name"), "metadata": body.get("metadata"),
        "preserve_ephemeral": common.parse_bool(body.get("preserve_ephemeral", False),
                                                "preserve_ephemeral"),
        "hostname": body.get("hostname"), "access_ip_v4": body.get("accessIPv4"),
        "access_ip_v6": body.get("accessIPv6")}
    for field, keyword in (("key_name", "key_name"), ("description", "description")):
        if field in body:
            options[keyword] = body[field]
    if "user_data" in body:
        options["user_data"] = _base64(body["user_data"], "user_data")
    rebuilt = compute_api().rebuild(request.context, instance, image_ref, password,
                                    **options)
    view = _rebuild_view(request, rebuilt)
    if CONF.api.enable_instance_password:
        view["adminPass"] = password
    return wsgi.json_response({"server": view}, status=202)


def rescue(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    validation.validate(schemas.RESCUE, body, "rescue")
    body = body or {}
    password = body.get("adminPass") or secrets.token_urlsafe(9)
    compute_api().rescue(request.context, instance, password, body.get("rescue_image_ref"))
    return wsgi.json_response({"adminPass": password} if CONF.api.enable_instance_password
                              else {})


def unrescue(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    compute_api().unrescue(request.context, instance)
    return wsgi.empty_response(202)


def reset_state(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    validation.validate(schemas.RESET_STATE, body, "os-resetState")
    compute_api().reset_state(request.context, instance, body["state"])
    return wsgi.empty_response(202)


def inject_network_info(request: Request, instance: dict[str, Any], body: Any
                        ) -> webob.Response:
    compute_api().inject_network_info(request.context, instance)
    return wsgi.empty_response(202)


def trigger_crash_dump(request: Request, instance: dict[str, Any], body: Any
                       ) -> webob.Response:
    common.require_version(request, minimum="2.17")
    compute_api().trigger_crash_dump(request.context, instance)
    return wsgi.empty_response(202)


def change_password(request: Request, instance: dict[str, Any], body: Any
                    ) -> webob.Response:
    validation.validate(schemas.CHANGE_PASSWORD, body, "changePassword")
    compute_api().set_admin_password(request.context, instance, body["adminPass"])
    return wsgi.empty_response(202)


def restore(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    compute_api().restore(request.context, instance)
    return wsgi.empty_response(202)


def add_security_group(request: Request, instance: dict[str, Any], body: Any
                       ) -> webob.Response:
    validation.validate(schemas.SECURITY_GROUP, body, "addSecurityGroup")
    compute_api().add_security_group(request.context, instance, body["name"].strip())
    return wsgi.empty_response(202)


def remove_security_group(request: Request, instance: dict[str, Any], body: Any
                          ) -> webob.Response:
    validation.validate(schemas.SECURITY_GROUP, body, "removeSecurityGroup")
    compute_api().remove_security_group(request.context, instance, body["name"].strip())
    return wsgi.empty_response(202)


def add_floating_ip(request: Request, instance: dict[str, Any], body: Any
                    ) -> webob.Response:
    common.require_version(request, maximum="2.43")
    validation.validate(schemas.ADD_FLOATING_IP, body, "addFloatingIp")
    compute_api().add_floating_ip(request.context, instance, body["address"],
                                  body.get("fixed_address"))
    return wsgi.empty_response(202)


def remove_floating_ip(request: Request, instance: dict[str, Any], body: Any
                       ) -> webob.Response:
    common.require_version(request, maximum="2.43")
    validation.validate(schemas.REMOVE_FLOATING_IP, body, "removeFloatingIp")
    compute_api().remove_floating_ip(request.context, instance, body["address"])
    return wsgi.empty_response(202)


ACTIONS: dict[str, tuple[str, Handler]] = {
    "rebuild": ("os_compute_api:servers:rebuild", rebuild),
    "rescue": ("os_compute_api:os-rescue", rescue),
    "unrescue": ("os_compute_api:os-unrescue", unrescue),
    "os-resetState": ("os_compute_api:os-admin-actions:reset_state", reset_state),
    "injectNetworkInfo": ("os_compute_api:os-admin-actions:inject_network_info",
                          inject_network_info),
    "trigger_crash_dump": ("os_compute_api:servers:trigger_crash_dump", trigger_crash_dump),
    "changePassword": ("os_compute_api:os-admin-password", change_password),
    "restore": ("os_compute_api:os-deferred-delete:restore", restore),
    "addSecurityGroup": ("os_compute_api:os-security-groups:add", add_security_group),
    "removeSecurityGroup": ("os_compute_api:os-security-groups:remove",
                            remove_security_group),
    "addFloatingIp": ("os_compute_api:os-floating-ips:add", add_floating_ip),
    "removeFloatingIp": ("os_compute_api:os-floating-ips:remove", remove_floating_ip),
}
