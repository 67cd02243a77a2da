"""Instances: the list (with a JSON twin the page polls for live status), the detail
page (addresses, flavor, image, volumes, metadata, actions log with events, fault), the
actions, and the console page (noVNC and the serial terminal in frames, the log)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import webob

from novalite.common import exception
from novalite.dashboard import clients
from novalite.dashboard.app import Route, Ui

#: statuses the list filter offers (the API's own names)
STATUSES = ("ACTIVE", "BUILD", "ERROR", "HARD_REBOOT", "PAUSED", "REBOOT", "RESCUE",
            "RESIZE", "SHELVED", "SHELVED_OFFLOADED", "SHUTOFF", "SUSPENDED",
            "VERIFY_RESIZE")
MAX_LISTED = 1000
#: side requests of a page made while its main one runs (bounded: 4 at once)
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dashboard-fetch")


#: Nova's power states by number, as Horizon names them
POWER_STATES = {0: "No state", 1: "Running", 3: "Paused", 4: "Shut down", 6: "Crashed",
                7: "Suspended"}


def power_state(server: dict[str, Any]) -> str:
    value = server.get("OS-EXT-STS:power_state")
    return POWER_STATES.get(value, str(value)) if isinstance(value, int) else ""


def live(server: dict[str, Any]) -> dict[str, Any]:
    """What the pages update without reloading."""
    return {"id": server.get("id"), "name": server.get("name"),
            "status": server.get("status"),
            "task_state": server.get("OS-EXT-STS:task_state"),
            "power_state": power_state(server),
            "addresses": addresses(server)}


def addresses(server: dict[str, Any]) -> str:
    return "; ".join(f"{net}: " + ", ".join(str(a.get("addr")) for a in entries)
                     for net, entries in sorted((server.get("addresses") or {}).items()))


def _filters(ui: Ui) -> dict[str, str]:
    filters = {}
    name, status = ui.field("name", 255), ui.field("status", 32).upper()
    if name:
        filters["name"] = name
    if status in STATUSES:
        filters["status"] = status
    return filters


def _servers(ui: Ui, filters: dict[str, str]) -> list[dict[str, Any]]:
    body = ui.api.compute.get_json("/servers/detail", params={**filters,
                                                              "limit": MAX_LISTED})
    return list(body.get("servers", []))


#: image names a project sees, for the list's Image column: (when fetched, id -> name);
#: names change rarely and the column is a nicety, so a page reuses them for a while
_NAMES: dict[str, tuple[float, dict[str, str]]] = {}
_NAMES_SECONDS = 30.0
_NAMES_PROJECTS = 1000
_names_lock = threading.Lock()


def _image_names(ui: Ui) -> dict[str, str]:
    project = str(ui.ctxt.project_id)
    with _names_lock:
        cached = _NAMES.get(project)
    if cached is not None and time.monotonic() - cached[0] < _NAMES_SECONDS:
        return cached[1]
    try:
        names = {str(image["id"]): str(image.get("name") or image["id"]) for image in
                 ui.api.image.get_json("/images", params={"limit": 1000}).get("images", [])}
    except exception.NovaliteException:
        return {}  # names are a nicety: the ids still show
    with _names_lock:
        if len(_NAMES) >= _NAMES_PROJECTS:
            _NAMES.clear()
        _NAMES[project] = (time.monotonic(), names)
    return names


def instances(ui: Ui) -> webob.Response:
    filters = _filters(ui)
    started = time.perf_counter()
    # the two APIs at once: the page waits for the slower, not for both in turn
    names = _POOL.submit(_image_names, ui)
    servers = _servers(ui, filters)
    image_names = names.result()
    fetched = time.perf_counter()
    query = urlencode(filters)
    response = ui.render("instances.html", servers=servers, image_names=image_names,
                         filters=filters, statuses=STATUSES, addresses=addresses,
                         power_state=power_state,
                         poll_url="/instances.json" + (f"?{query}" if query else ""),
                         can_launch=ui.can("os_compute_api:servers:create"))
    response.headers["Server-Timing"] = (
        f"api;dur={(fetched - started) * 1000:.1f}, "
        f"render;dur={(time.perf_counter() - fetched) * 1000:.1f}")
    return response


def instances_json(ui: Ui) -> webob.Response:
    return webob.Response(json_body={"servers": [live(s) for s in
                                                 _servers(ui, _filters(ui))]})


def _server(ui: Ui, server_id: str) -> dict[str, Any]:
    if len(server_id) > 64:
        raise exception.NotFound(message="No such instance.")
    return dict(ui.api.compute.get_json(f"/servers/{server_id}")["server"])


def instance_json(ui: Ui, server_id: str) -> webob.Response:
    server = _server(ui, server_id)
    return webob.Response(json_body={"server": live(server), "actions": [
        action for action in ACTIONS if usable(action, server)]})


#: action -> (policy rule, request body, confirmation text, shown in these statuses)
ACTIONS: dict[str, tuple[str, dict[str, Any] | None, str, tuple[str, ...]]] = {
    "reboot_soft": ("os_compute_api:servers:reboot", {"reboot": {"type": "SOFT"}},
                    "Reboot (soft) this instance?", ("ACTIVE",)),
    "reboot_hard": ("os_compute_api:servers:reboot", {"reboot": {"type": "HARD"}},
                    "Hard-reboot this instance?", ("ACTIVE", "SHUTOFF", "PAUSED",
                                                    "SUSPENDED", "ERROR", "HARD_REBOOT",
                                                    "REBOOT")),
    "stop": ("os_compute_api:servers:stop", {"os-stop": None}, "Stop this instance?",
             ("ACTIVE", "ERROR")),
    "start": ("os_compute_api:servers:start", {"os-start": None}, "Start this instance?",
              ("SHUTOFF",)),
    "pause": ("os_compute_api:os-pause-server:pause", {"pause": None},
              "Pause this instance?", ("ACTIVE",)),
    "unpause": ("os_compute_api:os-pause-server:unpause", {"unpause": None},
                "Unpause this instance?", ("PAUSED",)),
    "suspend": ("os_compute_api:os-suspend-server:suspend", {"suspend": None},
                "Suspend this instance?", ("ACTIVE",)),
    "resume": ("os_compute_api:os-suspend-server:resume", {"resume": None},
               "Resume this instance?", ("SUSPENDED",)),
    "snapshot": ("os_compute_api:servers:create_image", None,
                 "Take a snapshot of this instance?", ("ACTIVE", "SHUTOFF", "PAUSED",
                                                       "SUSPENDED")),
    "resize": ("os_compute_api:servers:resize", None, "Resize this instance?",
               ("ACTIVE", "SHUTOFF")),
    "confirm_resize": ("os_compute_api:servers:confirm_resize", {"confirmResize": None},
                       "Confirm the resize?", ("VERIFY_RESIZE",)),
    "revert_resize": ("os_compute_api:servers:revert_resize", {"revertResize": None},
                      "Revert the resize?", ("VERIFY_RESIZE",)),
    "rescue": ("os_compute_api:os-rescue", {"rescue": None}, "Rescue this instance?",
               ("ACTIVE", "SHUTOFF")),
    "unrescue": ("os_compute_api:os-unrescue", {"unrescue": None},
                 "Leave rescue mode?", ("RESCUE",)),
    "shelve": ("os_compute_api:os-shelve:shelve", {"shelve": None},
               "Shelve this instance?", ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")),
    "unshelve": ("os_compute_api:os-shelve:unshelve", {"unshelve": None},
                 "Unshelve this instance?", ("SHELVED", "SHELVED_OFFLOADED")),
    "delete": ("os_compute_api:servers:delete", None, "Delete this instance? This cannot "
               "be undone.", STATUSES),
}


def allowed_actions(ui: Ui, server: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(action, label, confirmation, usable now) of the buttons this user may press on
    ``server`` (the policy decides which exist; the status which are shown now)."""
    target = {"project_id": server.get("tenant_id"), "user_id": server.get("user_id")}
    shown = []
    for action, (rule, _body, confirm, _statuses) in ACTIONS.items():
        if ui.can(rule, target):
            shown.append((action, action.replace("_", " ").capitalize(), confirm,
                          usable(action, server)))
    return shown


def usable(action: str, server: dict[str, Any]) -> bool:
    """Whether ``action`` applies to ``server`` now: its status, and no task running
    (but delete and a hard reboot, which Nova allows during one)."""
    if server.get("status") not in ACTIONS[action][3]:
        return False
    return not server.get("OS-EXT-STS:task_state") or action in ("delete", "reboot_hard")


def instance(ui: Ui, server_id: str) -> webob.Response:
    server = _server(ui, server_id)
    image_ref = server.get("image") or {}
    image_name = ""
    if isinstance(image_ref, dict) and image_ref.get("id"):
        try:
            image_name = str(ui.api.image.get_json(f"/images/{image_ref['id']}").get("name")
                             or "")
        except exception.NovaliteException:
            image_name = "(not visible)"
    actions_log = []
    try:
        listed = ui.api.compute.get_json(f"/servers/{server_id}/os-instance-actions")
        for entry in listed.get("instanceActions", [])[:10]:
            try:
                shown = ui.api.compute.get_json(
                    f"/servers/{server_id}/os-instance-actions/{entry['request_id']}")
                entry = shown.get("instanceAction", entry)
            except exception.NovaliteException:
                pass
            actions_log.append(entry)
    except exception.Forbidden:
        pass
    flavors = []
    if ui.can("os_compute_api:servers:resize"):
        flavors = ui.api.compute.get_json("/flavors/detail").get("flavors", [])
    return ui.render("instance.html", server=server, image_name=image_name,
                     actions_log=actions_log, actions=allowed_actions(ui, server),
                     addresses=addresses, flavors=flavors, power_state=power_state,
                     volumes=server.get("os-extended-volumes:volumes_attached") or [],
                     can_console=ui.can("os_compute_api:os-remote-consoles"))


def act(ui: Ui, server_id: str) -> webob.Response:
    action = ui.field("action", 32)
    if action not in ACTIONS:
        raise exception.Invalid(reason=f"unknown action '{action}'")
    server = _server(ui, server_id)
    body = ACTIONS[action][1]
    compute = ui.api.compute
    try:
        if action == "delete":
            compute.delete(f"/servers/{server_id}")
            ui.flash("info", f"Deleting {server.get('name')}.")
            return ui.redirect("/instances")
        if action == "snapshot":
            name = ui.field("snapshot_name", 255) or f"{server.get('name')}-snapshot"
            compute.request("POST", f"/servers/{server_id}/action",
                            json={"createImage": {"name": name}}).close()
            ui.flash("info", f"Snapshot '{name}' requested.")
        elif action == "resize":
            compute.request("POST", f"/servers/{server_id}/action",
                            json={"resize": {"flavorRef": ui.field("flavor", 64)}}).close()
            ui.flash("info", "Resize requested.")
        else:
            assert body is not None
            compute.request("POST", f"/servers/{server_id}/action", json=body).close()
            ui.flash("info", f"{action.replace('_', ' ').capitalize()} requested.")
    except (exception.Invalid, exception.Conflict, exception.Forbidden,
            exception.ServiceError) as error:
        ui.flash("error", clients.message(error))
    return ui.redirect(f"/instances/{server_id}")


def console(ui: Ui, server_id: str) -> webob.Response:
    server = _server(ui, server_id)
    urls: dict[str, str] = {}
    errors: dict[str, str] = {}
    if server.get("status") in ("ACTIVE", "RESCUE", "PAUSED"):
        for protocol, kind in (("vnc", "novnc"), ("serial", "serial")):
            try:
                body = ui.api.compute.post_json(
                    f"/servers/{server_id}/remote-consoles",
                    {"remote_console": {"protocol": protocol, "type": kind}})
                url = str(body["remote_console"]["url"])
                if url.startswith("ws"):  # the serial proxy serves its terminal page there
                    url = "http" + url[2:]
                urls[kind] = url
                ui.allow_frame(url)
            except exception.NovaliteException as error:
                errors[kind] = clients.message(error)
    log = ""
    try:
        log = str(ui.api.compute.post_json(
            f"/servers/{server_id}/action",
            {"os-getConsoleOutput": {"length": 200}}).get("output", ""))
    except exception.NovaliteException as error:
        errors["log"] = clients.message(error)
    return ui.render("console.html", server=server, urls=urls, errors=errors, log=log)


ROUTES = [
    Route("GET", "/instances", instances),
    Route("GET", "/instances.json", instances_json),
    Route("GET", "/instances/{server_id}.json", instance_json),
    Route("GET", "/instances/{server_id}/console", console),
    Route("POST", "/instances/{server_id}/action", act),
    Route("GET", "/instances/{server_id}", instance),
]
