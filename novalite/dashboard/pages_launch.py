"""The launch form: name, image, flavor (with its sizes), network or port, key pair,
security groups, user data, count, boot from volume. The dashboard checks nothing the
API checks: it sends what was entered and shows the API's message next to the field it
names."""

from __future__ import annotations

import base64
import re
from typing import Any

import webob

from novalite.common import exception
from novalite.dashboard import clients
from novalite.dashboard.app import Route, Ui

#: user data as typed (the API bounds the encoded form at 65535 bytes)
MAX_USER_DATA = 200_000
FIELDS = ("name", "image", "flavor", "network", "key_name", "security_groups", "user_data",
          "count", "boot_volume_size")

#: which field an API message is about (first match wins; else the form's top)
_FIELD_WORDS = [
    ("boot_volume_size", re.compile(r"volume_size|block_device|boot.*volume|volume", re.I)),
    ("count", re.compile(r"min_count|max_count|count", re.I)),
    ("user_data", re.compile(r"user_data|user data", re.I)),
    ("key_name", re.compile(r"key_name|key pair|keypair", re.I)),
    ("security_groups", re.compile(r"security.group", re.I)),
    ("flavor", re.compile(r"flavor", re.I)),
    ("image", re.compile(r"image", re.I)),
    ("network", re.compile(r"network|port|nic", re.I)),
    ("name", re.compile(r"\bname\b", re.I)),
]


def field_of(message: str) -> str:
    for field, words in _FIELD_WORDS:
        if words.search(message):
            return field
    return "form"


def _choices(ui: Ui) -> dict[str, Any]:
    def safe(call: Any) -> list[dict[str, Any]]:
        try:
            return list(call())
        except exception.NovaliteException:
            return []

    api = ui.api
    return {
        "images": safe(lambda: [i for i in api.image.get_json(
            "/images", params={"limit": 1000}).get("images", [])
            if i.get("status") == "active"]),
        "flavors": safe(lambda: sorted(api.compute.get_json("/flavors/detail").get(
            "flavors", []), key=lambda f: (f.get("ram", 0), f.get("vcpus", 0)))),
        "networks": safe(lambda: api.network.get_json("/networks").get("networks", [])),
        "keypairs": safe(lambda: [k["keypair"] for k in api.compute.get_json(
            "/os-keypairs").get("keypairs", [])]),
        "security_groups": safe(lambda: api.network.get_json(
            "/security-groups", params={"project_id": ui.ctxt.project_id}).get(
            "security_groups", [])),
    }


def launch_form(ui: Ui, values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None, status: int = 200) -> webob.Response:
    if errors is None and not ui.can("os_compute_api:servers:create"):
        raise exception.Forbidden(message="Your role on this project may not launch "
                                          "instances.")
    values = values or {"count": "1", "network": "auto", "security_groups": ["default"]}
    return ui.render("launch.html", status=status, values=values, errors=errors or {},
                     **_choices(ui))


def _count(text: str) -> Any:
    """An integer when it is one; else the text itself, for the API to refuse."""
    return int(text) if re.fullmatch(r"-?\d{1,9}", text) else text


def server_body(values: dict[str, Any]) -> dict[str, Any]:
    server: dict[str, Any] = {"name": values["name"], "flavorRef": values["flavor"]}
    network = values["network"]
    if network in ("auto", "none"):
        server["networks"] = network
    elif network.startswith("port:"):
        server["networks"] = [{"port": network[len("port:"):]}]
    elif network:
        server["networks"] = [{"uuid": network}]
    if values["key_name"]:
        server["key_name"] = values["key_name"]
    if values["security_groups"] and network != "none":
        server["security_groups"] = [{"name": name} for name in values["security_groups"]]
    if values["user_data"]:
        server["user_data"] = base64.b64encode(values["user_data"].encode()).decode()
    count = _count(values["count"] or "1")
    if count != 1:
        server["min_count"] = server["max_count"] = count
    if values["boot_from_volume"]:
        server["imageRef"] = ""
        server["block_device_mapping_v2"] = [{
            "boot_index": 0, "uuid": values["image"], "source_type": "image",
            "destination_type": "volume", "delete_on_termination": True,
            "volume_size": _count(values["boot_volume_size"] or "1")}]
    else:
        server["imageRef"] = values["image"]
    return {"server": server}


def launch(ui: Ui) -> webob.Response:
    # bounded for safety only: the API's limits (a name of 255) are the API's to report
    values: dict[str, Any] = {field: ui.field(field) for field in FIELDS
                              if field not in ("user_data", "security_groups")}
    values["user_data"] = ui.field("user_data", MAX_USER_DATA)
    values["security_groups"] = ui.fields("security_groups")
    values["boot_from_volume"] = ui.field("boot_from_volume", 8) == "on"
    port = ui.field("port", 64)
    if port:
        values["network"] = f"port:{port}"
    try:
        created = ui.api.compute.post_json("/servers", server_body(values))
    except (exception.Invalid, exception.Conflict, exception.Forbidden, exception.NotFound,
            exception.ServiceError) as error:
        text = clients.message(error)
        return launch_form(ui, values, {field_of(text): text},
                           status=error.code if 400 <= error.code < 500 else 400)
    server = (created or {}).get("server") or {}
    count = values["count"] or "1"
    ui.flash("info", f"Launching {values['name']}" + (f" ({count} instances)"
                                                     if count != "1" else "") + ".")
    if server.get("id") and count == "1":
        return ui.redirect(f"/instances/{server['id']}")
    return ui.redirect("/instances")


ROUTES = [
    Route("GET", "/instances/launch", lambda ui: launch_form(ui)),
    Route("POST", "/instances/launch", launch),
]
