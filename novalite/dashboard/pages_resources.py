"""The project's other resources: images (upload), key pairs (create, import, download
the private key once), volumes (create, attach, detach, delete), networks, security
groups and rules, floating IPs."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import exception
from novalite.dashboard import clients
from novalite.dashboard.app import Route, Ui

DISK_FORMATS = ("raw", "qcow2", "ami", "ari", "aki", "iso", "vmdk", "vdi", "vhd")


def _try(ui: Ui, call: Any, done: str) -> None:
    """Run an API call for a form; its outcome (or the API's message) is flashed."""
    try:
        call()
        ui.flash("info", done)
    except (exception.Invalid, exception.Conflict, exception.Forbidden, exception.NotFound,
            exception.ServiceError) as error:
        ui.flash("error", clients.message(error))


# --- images ------------------------------------------------------------------------------

def images(ui: Ui) -> webob.Response:
    listed = ui.api.image.get_json("/images", params={"limit": 1000}).get("images", [])
    return ui.render("images.html", images=listed, disk_formats=DISK_FORMATS,
                     can_upload=ui.can("image:add_image"))


def upload_image(ui: Ui) -> webob.Response:
    upload = ui.request.POST.get("file")
    name = ui.field("name", 255)
    disk_format = ui.field("disk_format", 16)
    if upload is None or isinstance(upload, str):
        ui.flash("error", "Choose a file to upload.")
        return ui.redirect("/images")
    image = ui.api.image
    try:
        created = image.post_json("/images", {
            "name": name or getattr(upload, "filename", "image"),
            "disk_format": disk_format, "container_format": "bare"})
        upload.file.seek(0)
        image.request("PUT", f"/images/{created['id']}/file", data=upload.file,
                      headers={"Content-Type": "application/octet-stream"},
                      timeout=600).close()
        ui.flash("info", f"Image '{created.get('name')}' uploaded.")
    except (exception.Invalid, exception.Conflict, exception.Forbidden,
            exception.ServiceError) as error:
        ui.flash("error", clients.message(error))
    if ui.request.headers.get("X-Requested-With") == "fetch":
        return webob.Response(json_body={"location": "/images"})
    return ui.redirect("/images")


def delete_image(ui: Ui, image_id: str) -> webob.Response:
    _try(ui, lambda: ui.api.image.delete(f"/images/{image_id}"), "Image deleted.")
    return ui.redirect("/images")


# --- key pairs ---------------------------------------------------------------------------

def keypairs(ui: Ui) -> webob.Response:
    listed = [k["keypair"] for k in ui.api.compute.get_json("/os-keypairs").get(
        "keypairs", [])]
    download = ui.session.secret_download[0] if ui.session and \
        ui.session.secret_download else None
    return ui.render("keypairs.html", keypairs=listed, download=download,
                     can_create=ui.can("os_compute_api:os-keypairs:create",
                                       {"user_id": ui.ctxt.user_id}))


def create_keypair(ui: Ui) -> webob.Response:
    name, public_key = ui.field("name", 255), ui.field("public_key", 16384)
    body: dict[str, Any] = {"name": name}
    if public_key:
        body["public_key"] = public_key
    try:
        created = ui.api.compute.post_json("/os-keypairs", {"keypair": body})["keypair"]
        if created.get("private_key") and ui.session is not None:
            ui.session.secret_download = (name, str(created["private_key"]))
        ui.flash("info", f"Key pair '{name}' {'imported' if public_key else 'created'}.")
    except (exception.Invalid, exception.Conflict, exception.Forbidden,
            exception.ServiceError) as error:
        ui.flash("error", clients.message(error))
    return ui.redirect("/keypairs")


def download_private_key(ui: Ui) -> webob.Response:
    """The new key pair's private key, once: it is forgotten as it is handed over."""
    session = ui.session
    if session is None or session.secret_download is None:
        raise exception.NotFound(message="The private key was already downloaded (it is "
                                         "kept only until then).")
    name, key = session.secret_download
    session.secret_download = None
    safe = "".join(c for c in name if c.isalnum() or c in "-_.") or "key"
    response = webob.Response(key.encode(), content_type="application/x-pem-file")
    response.content_disposition = f'attachment; filename="{safe}.pem"'
    return response


def delete_keypair(ui: Ui, name: str) -> webob.Response:
    _try(ui, lambda: ui.api.compute.delete(f"/os-keypairs/{name}"), "Key pair deleted.")
    return ui.redirect("/keypairs")


# --- volumes -----------------------------------------------------------------------------

def volumes(ui: Ui) -> webob.Response:
    listed = ui.api.volume.get_json("/volumes/detail", params={"limit": 1000}).get(
        "volumes", [])
    servers = ui.api.compute.get_json("/servers", params={"limit": 1000}).get("servers", [])
    return ui.render("volumes.html", volumes=listed, servers=servers,
                     names={s["id"]: s["name"] for s in servers},
                     can_create=ui.can("volume:create"),
                     can_attach=ui.can("os_compute_api:os-volumes-attachments:create"))


def create_volume(ui: Ui) -> webob.Response:
    size = ui.field("size", 16)
    body = {"volume": {"name": ui.field("name", 255) or None,
                       "size": int(size) if size.isdigit() else size}}
    _try(ui, lambda: ui.api.volume.post_json("/volumes", body), "Volume requested.")
    return ui.redirect("/volumes")


def attach_volume(ui: Ui, volume_id: str) -> webob.Response:
    server_id = ui.field("server_id", 64)
    _try(ui, lambda: ui.api.compute.post_json(
        f"/servers/{server_id}/os-volume_attachments",
        {"volumeAttachment": {"volumeId": volume_id}}), "Attaching the volume.")
    return ui.redirect("/volumes")


def detach_volume(ui: Ui, volume_id: str) -> webob.Response:
    server_id = ui.field("server_id", 64)
    _try(ui, lambda: ui.api.compute.delete(
        f"/servers/{server_id}/os-volume_attachments/{volume_id}"), "Detaching the volume.")
    return ui.redirect("/volumes")


def delete_volume(ui: Ui, volume_id: str) -> webob.Response:
    _try(ui, lambda: ui.api.volume.delete(f"/volumes/{volume_id}"), "Deleting the volume.")
    return ui.redirect("/volumes")


# --- networks, security groups, floating IPs ---------------------------------------------

def networks(ui: Ui) -> webob.Response:
    listed = ui.api.network.get_json("/networks").get("networks", [])
    subnets = ui.api.network.get_json("/subnets").get("subnets", [])
    by_network: dict[str, list[dict[str, Any]]] = {}
    for subnet in subnets:
        by_network.setdefault(str(subnet.get("network_id")), []).append(subnet)
    return ui.render("networks.html", networks=listed, subnets=by_network)


def security_groups(ui: Ui) -> webob.Response:
    listed = ui.api.network.get_json("/security-groups", params={
        "project_id": ui.ctxt.project_id}).get("security_groups", [])
    return ui.render("security_groups.html", groups=listed,
                     can_edit=ui.can("network:create_security_group"))


def create_security_group(ui: Ui) -> webob.Response:
    body = {"security_group": {"name": ui.field("name", 255),
                               "description": ui.field("description", 255)}}
    _try(ui, lambda: ui.api.network.post_json("/security-groups", body),
         "Security group created.")
    return ui.redirect("/security-groups")


def add_rule(ui: Ui, group_id: str) -> webob.Response:
    rule: dict[str, Any] = {"security_group_id": group_id,
                            "direction": ui.field("direction", 16) or "ingress",
                            "ethertype": "IPv4"}
    protocol = ui.field("protocol", 16)
    if protocol:
        rule["protocol"] = protocol
    for field in ("port_range_min", "port_range_max"):
        value = ui.field(field, 16)
        if value:
            rule[field] = int(value) if value.isdigit() else value
    prefix = ui.field("remote_ip_prefix", 64)
    if prefix:
        rule["remote_ip_prefix"] = prefix
    _try(ui, lambda: ui.api.network.post_json("/security-group-rules",
                                              {"security_group_rule": rule}), "Rule added.")
    return ui.redirect("/security-groups")


def delete_rule(ui: Ui, rule_id: str) -> webob.Response:
    _try(ui, lambda: ui.api.network.delete(f"/security-group-rules/{rule_id}"),
         "Rule deleted.")
    return ui.redirect("/security-groups")


def floating_ips(ui: Ui) -> webob.Response:
    listed = ui.api.network.get_json("/floatingips").get("floatingips", [])
    external = [n for n in ui.api.network.get_json("/networks").get("networks", [])
                if n.get("router:external")]
    return ui.render("floating_ips.html", floating_ips=listed, external=external,
                     can_allocate=ui.can("network:create_floatingip"))


def allocate_floating_ip(ui: Ui) -> webob.Response:
    body = {"floatingip": {"floating_network_id": ui.field("network_id", 64)}}
    _try(ui, lambda: ui.api.network.post_json("/floatingips", body),
         "Floating IP allocated.")
    return ui.redirect("/floating-ips")


def release_floating_ip(ui: Ui, fip_id: str) -> webob.Response:
    _try(ui, lambda: ui.api.network.delete(f"/floatingips/{fip_id}"),
         "Floating IP released.")
    return ui.redirect("/floating-ips")


ROUTES = [
    Route("GET", "/images", images),
    Route("POST", "/images", upload_image),
    Route("POST", "/images/{image_id}/delete", delete_image),
    Route("GET", "/keypairs", keypairs),
    Route("POST", "/keypairs", create_keypair),
    Route("GET", "/keypairs/private-key", download_private_key),
    Route("POST", "/keypairs/{name}/delete", delete_keypair),
    Route("GET", "/volumes", volumes),
    Route("POST", "/volumes", create_volume),
    Route("POST", "/volumes/{volume_id}/attach", attach_volume),
    Route("POST", "/volumes/{volume_id}/detach", detach_volume),
    Route("POST", "/volumes/{volume_id}/delete", delete_volume),
    Route("GET", "/networks", networks),
    Route("GET", "/security-groups", security_groups),
    Route("POST", "/security-groups", create_security_group),
    Route("POST", "/security-groups/{group_id}/rules", add_rule),
    Route("POST", "/security-group-rules/{rule_id}/delete", delete_rule),
    Route("GET", "/floating-ips", floating_ips),
    Route("POST", "/floating-ips", allocate_floating_ip),
    Route("POST", "/floating-ips/{fip_id}/delete", release_floating_ip),
]
