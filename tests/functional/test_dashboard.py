"""The dashboard against the in-process cloud (fake compute driver), as a browser would
use it without scripts: sign in and out, sessions and CSRF, the instances list and its
JSON twin, the launch form with the API's messages, the detail page and its actions, a
reader's view, and every other page."""

from __future__ import annotations

import re

import pytest
import requests

from tests.dashboard import csrf, dashboard, sign_in  # noqa: F401 - the fixture
from tests.functional.cloud import wait_for
from tests.functional.conftest import ADMIN_PASSWORD, DEMO_PASSWORD
from tests.functional.sdk_fixtures import admin, reader  # noqa: F401 - fixtures

pytestmark = pytest.mark.db


@pytest.fixture
def image_id(admin) -> str:  # noqa: F811
    image = admin.image.create_image(name="dash-tiny", disk_format="raw",
                                     container_format="bare", data=b"\0" * 1024,
                                     visibility="public")
    return str(image.id)


def test_sign_in_cookie_headers_csrf_and_sign_out(cloud, dashboard, admin):  # noqa: F811
    browser = requests.Session()
    login = browser.get(f"{dashboard}/login", timeout=30)
    csp = login.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert login.headers["X-Frame-Options"] == "DENY"
    assert not re.search(r"<script(?![^>]*\bsrc=)", login.text)  # no inline script

    wrong = browser.post(f"{dashboard}/login", data={
        "csrf_token": csrf(login.text), "domain": "Default", "username": "demo",
        "password": "nope"}, timeout=30, allow_redirects=False)
    assert wrong.status_code == 401
    assert "The user name or password is wrong." in wrong.text
    # a sign-in form posted without its CSRF token is refused
    forged = browser.post(f"{dashboard}/login", data={
        "domain": "Default", "username": "demo", "password": DEMO_PASSWORD},
        timeout=30, allow_redirects=False)
    assert forged.status_code == 403

    signed = browser.post(f"{dashboard}/login", data={
        "csrf_token": csrf(wrong.text), "domain": "Default", "username": "demo",
        "password": DEMO_PASSWORD}, timeout=30, allow_redirects=False)
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/instances")
    cookie = signed.headers["Set-Cookie"]
    assert "novalite_session=" in cookie and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower() and "secure" not in cookie.lower()  # HTTP
    session_id = browser.cookies["novalite_session"]
    held = dashboard.app.sessions.get(session_id)
    assert held is not None and held.token and held.token not in cookie
    page = browser.get(f"{dashboard}/instances", timeout=30)
    assert page.status_code == 200 and 'id="launch"' in page.text  # a member may launch
    # demo has no default project: the session was scoped to its one project
    assert re.search(r'<option value="[0-9a-f]+" selected>demo</option>', page.text)

    # a form posted without the page's CSRF token is refused, and changes nothing
    refused = browser.post(f"{dashboard}/logout", timeout=30, allow_redirects=False)
    assert refused.status_code == 403
    assert dashboard.app.sessions.get(session_id) is not None

    out = browser.post(f"{dashboard}/logout", data={"csrf_token": csrf(page.text)},
                       timeout=30, allow_redirects=False)
    assert out.status_code == 303 and out.headers["Location"].endswith("/login")
    # the old cookie is useless, and the tokens it stood for are revoked in Keystone
    stale = requests.get(f"{dashboard}/instances", cookies={"novalite_session": session_id},
                         timeout=30, allow_redirects=False)
    assert stale.status_code == 303 and "/login?next=" in stale.headers["Location"]
    assert requests.get(f"{dashboard}/instances.json", timeout=30,
                        cookies={"novalite_session": session_id}).status_code == 401
    for token in {held.token, held.login_token}:
        check = requests.get(f"{cloud['identity']}/v3/auth/tokens", timeout=30, headers={
            "X-Auth-Token": admin.auth_token, "X-Subject-Token": token})
        assert check.status_code == 404, token


def test_launch_form_shows_the_api_message_then_launches(cloud, dashboard,  # noqa: F811
                                                           image_id):
    browser = sign_in(dashboard, "demo", DEMO_PASSWORD)
    form = browser.page("/instances/launch")
    assert form.status_code == 200
    assert "dash-tiny" in form.text
    assert re.search(r"m1\.tiny: 1 vCPU, 128 MiB RAM, 1 GiB disk", form.text), form.text
    # a bad value: the API's own message, next to the field it is about
    bad = browser.submit("/instances/launch", {"name": "x" * 256, "image": image_id,
                                               "flavor": "1", "network": "none",
                                               "count": "1"})
    assert bad.status_code == 400
    shown = re.search(r'<span class="field-error" id="error-name">([^<]+)</span>', bad.text)
    assert shown and "name" in shown.group(1) and "is too long" in shown.group(1)
    bad_count = browser.submit("/instances/launch", {"name": "ok", "image": image_id,
                                                     "flavor": "1", "network": "none",
                                                     "count": "many"})
    assert bad_count.status_code == 400 and 'id="error-count"' in bad_count.text
    # the values entered stay in the form
    assert 'value="many"' in bad_count.text

    launched = browser.submit("/instances/launch", {
        "name": "dash-one", "image": image_id, "flavor": "1", "network": "none",
        "user_data": "#!/bin/sh\necho hi\n", "count": "1"})
    assert launched.status_code == 200
    match = re.search(r"/instances/([0-9a-f-]{36})$", launched.url)
    assert match, launched.url
    server_id = match.group(1)
    assert "dash-one" in launched.text and "Launching dash-one." in launched.text
    # the JSON the page polls reaches ACTIVE with no task
    wait_for(lambda: browser.get(f"/instances/{server_id}.json").json()["server"][
        "status"] == "ACTIVE", timeout=60, interval=0.1, message="ACTIVE")
    listed = browser.get("/instances.json").json()["servers"]
    assert [s["id"] for s in listed] == [server_id]
    assert listed[0]["task_state"] is None and listed[0]["power_state"] == "Running"
    page = browser.page("/instances")
    assert f'<tr data-id="{server_id}">' in page.text and 'data-poll="/instances.json"' in \
        page.text
    # filters go to the API (and to the polled URL)
    assert server_id not in browser.page("/instances?status=SHUTOFF").text
    assert 'data-poll="/instances.json?status=SHUTOFF"' in browser.page(
        "/instances?status=SHUTOFF").text


def _detail(browser, server_id: str) -> str:
    return browser.page(f"/instances/{server_id}").text


def test_detail_page_actions_and_delete(cloud, dashboard, image_id, admin):  # noqa: F811
    browser = sign_in(dashboard, "demo", DEMO_PASSWORD)
    launched = browser.submit("/instances/launch", {
        "name": "dash-acts", "image": image_id, "flavor": "1", "network": "none",
        "count": "1"})
    server_id = launched.url.rsplit("/", 1)[1]

    def status() -> str:
        return str(browser.get(f"/instances/{server_id}.json").json()["server"]["status"])

    wait_for(lambda: status() == "ACTIVE", timeout=60, interval=0.1, message="ACTIVE")
    page = _detail(browser, server_id)
    assert "128 MiB RAM" in page and "dash-tiny" in page
    for action in ("reboot_hard", "reboot_soft", "stop", "pause", "suspend", "snapshot",
                   "resize", "rescue", "shelve", "delete"):
        assert f'data-action-form="{action}">' in page, action
    # every button the policy allows is there; those the status forbids are hidden (the
    # page shows them as the polled state changes)
    assert 'data-action-form="start" hidden>' in page
    usable = browser.get(f"/instances/{server_id}.json").json()["actions"]
    assert "stop" in usable and "start" not in usable and "unpause" not in usable
    assert 'data-confirm="Hard-reboot this instance?"' in page
    # the actions log lists the create with its events
    assert re.search(r"<td>create</td>", page)

    rebooted = browser.submit(f"/instances/{server_id}/action", {"action": "reboot_hard"})
    assert "Reboot hard requested." in rebooted.text
    wait_for(lambda: status() == "ACTIVE", timeout=60, interval=0.1, message="rebooted")
    assert "<td>reboot</td>" in _detail(browser, server_id)

    browser.submit(f"/instances/{server_id}/action", {"action": "stop"})
    wait_for(lambda: status() == "SHUTOFF", timeout=60, interval=0.1, message="SHUTOFF")
    assert 'data-action-form="start">' in _detail(browser, server_id)
    # an action the state forbids: the API's message comes back, not a 500
    conflict = browser.submit(f"/instances/{server_id}/action", {"action": "pause"})
    assert conflict.status_code == 200 and 'class="flash error"' in conflict.text
    assert "SHUTOFF" in conflict.text or "state" in conflict.text
    browser.submit(f"/instances/{server_id}/action", {"action": "start"})
    wait_for(lambda: status() == "ACTIVE", timeout=60, interval=0.1, message="started")

    # the other actions and their way back, each reaching its state
    for action, reached, back in (("pause", "PAUSED", "unpause"),
                                  ("suspend", "SUSPENDED", "resume"),
                                  ("rescue", "RESCUE", "unrescue"),
                                  ("shelve", "SHELVED_OFFLOADED", "unshelve")):
        browser.submit(f"/instances/{server_id}/action", {"action": action})
        wait_for(lambda reached=reached: status() == reached, timeout=60, interval=0.1,
                 message=reached)
        assert f'data-action-form="{back}">' in _detail(browser, server_id), back
        browser.submit(f"/instances/{server_id}/action", {"action": back})
        wait_for(lambda: status() == "ACTIVE" and not browser.get(
            f"/instances/{server_id}.json").json()["server"]["task_state"], timeout=60,
            interval=0.1, message=f"ACTIVE after {back}")

    snap = browser.submit(f"/instances/{server_id}/action",
                          {"action": "snapshot", "snapshot_name": "dash-snap"})
    assert "Snapshot &#39;dash-snap&#39; requested." in snap.text
    wait_for(lambda: re.search(r"<td>dash-snap</td><td>active</td>",
                               browser.page("/images").text),
             timeout=60, interval=0.2, message="the snapshot image active")

    gone = browser.submit(f"/instances/{server_id}/action", {"action": "delete"})
    assert gone.url.endswith("/instances") and "Deleting dash-acts." in gone.text
    wait_for(lambda: browser.get("/instances.json").json()["servers"] == [], timeout=60,
             interval=0.1, message="deleted")
    assert browser.get(f"/instances/{server_id}").status_code == 404
    assert browser.submit(f"/instances/{server_id}/action",
                          {"action": "bogus"}).status_code == 400


def test_a_reader_sees_no_launch_or_action_buttons(
        cloud, dashboard, image_id, admin, reader):  # noqa: F811
    member = sign_in(dashboard, "demo", DEMO_PASSWORD)
    launched = member.submit("/instances/launch", {
        "name": "dash-read", "image": image_id, "flavor": "1", "network": "none",
        "count": "1"})
    server_id = launched.url.rsplit("/", 1)[1]
    wait_for(lambda: member.get(f"/instances/{server_id}.json").json()["server"][
        "status"] == "ACTIVE", timeout=60, interval=0.1, message="ACTIVE")

    watcher = sign_in(dashboard, "demo-reader", "reader-pass")
    listing = watcher.page("/instances")
    assert "dash-read" in listing.text and 'id="launch"' not in listing.text
    assert watcher.get("/instances/launch").status_code == 403
    detail = watcher.page(f"/instances/{server_id}")
    assert detail.status_code == 200 and 'data-action=' not in detail.text
    # the API stays the authority: a forged launch gets the API's refusal
    forged = watcher.submit("/instances/launch", {"name": "nope", "image": image_id,
                                                  "flavor": "1", "network": "none"})
    assert forged.status_code == 403 and "Policy doesn" in forged.text
    forced = watcher.submit(f"/instances/{server_id}/action", {"action": "reboot_hard"})
    assert 'class="flash error"' in forced.text
    assert watcher.get("/admin/hypervisors").status_code == 403
    assert "Hypervisors" not in listing.text  # no admin menu


def test_every_page_renders(cloud, dashboard, admin):  # noqa: F811
    browser = sign_in(dashboard, "admin", ADMIN_PASSWORD)
    for path, marker in (("/images", 'id="images"'), ("/keypairs", 'id="keypairs"'),
                         ("/volumes", 'id="volumes"'), ("/networks", 'id="networks"'),
                         ("/security-groups", "default"),
                         ("/floating-ips", 'id="floating-ips"'), ("/quotas", 'id="quotas"'),
                         ("/admin/hypervisors", 'id="hypervisors"'),
                         ("/admin/services", "<td>nova-compute</td>")):
        page = browser.page(path)
        assert page.status_code == 200, (path, page.text)
        assert marker in page.text, path
    assert "<svg" in browser.page("/quotas").text  # the usage chart
    assert browser.get("/nowhere").status_code == 404
    assert browser.get("/static/dashboard.js").headers["Content-Type"].startswith(
        "text/javascript")
    assert browser.get("/static/..%2fapp.py").status_code == 404


def test_key_pair_private_key_is_downloaded_once(cloud, dashboard):  # noqa: F811
    browser = sign_in(dashboard, "demo", DEMO_PASSWORD)
    browser.page("/keypairs")
    made = browser.submit("/keypairs", {"name": "dash-key"})
    assert "Key pair &#39;dash-key&#39; created." in made.text
    assert 'id="download-key"' in made.text
    key = browser.get("/keypairs/private-key")
    assert key.status_code == 200 and "PRIVATE KEY" in key.text
    assert 'filename="dash-key.pem"' in key.headers["Content-Disposition"]
    assert browser.get("/keypairs/private-key").status_code == 404
    assert "dash-key" in browser.page("/keypairs").text
    dup = browser.submit("/keypairs", {"name": "dash-key"})
    assert 'class="flash error"' in dup.text
    public = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
              " dash@test")
    imported = browser.submit("/keypairs", {"name": "dash-imported", "public_key": public})
    assert "Key pair &#39;dash-imported&#39; imported." in imported.text
    assert 'id="download-key"' not in imported.text  # nothing secret to hand over


def test_bounds_and_redirects(cloud, dashboard):  # noqa: F811
    browser = sign_in(dashboard, "demo", DEMO_PASSWORD)
    big = browser.submit("/volumes", {"name": "x" * (2 * 1024 * 1024)})
    assert big.status_code == 413
    # after signing in, only this site's own paths are followed
    for target in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        other = requests.Session()
        login = other.get(f"{dashboard}/login", params={"next": target}, timeout=30)
        signed = other.post(f"{dashboard}/login", timeout=30, allow_redirects=False, data={
            "csrf_token": csrf(login.text), "domain": "Default", "username": "demo",
            "password": DEMO_PASSWORD, "next": target})
        assert signed.headers["Location"].endswith("/instances"), target


def test_volume_and_security_group_forms(cloud, dashboard):  # noqa: F811
    browser = sign_in(dashboard, "demo", DEMO_PASSWORD)
    browser.page("/volumes")
    made = browser.submit("/volumes", {"name": "dash-vol", "size": "1"})
    assert "Volume requested." in made.text and "dash-vol" in made.text
    bad = browser.submit("/volumes", {"name": "bad", "size": "-3"})
    assert 'class="flash error"' in bad.text
    browser.page("/security-groups")
    made = browser.submit("/security-groups", {"name": "web", "description": "http"})
    assert "Security group created." in made.text
    ids = re.findall(r'<h2>(\w+)</h2>.*?action="/security-groups/([0-9a-f-]+)/rules"',
                     made.text, re.S)
    assert dict(ids).get("web"), made.text
    added = browser.submit(f"/security-groups/{dict(ids)['web']}/rules", {
        "direction": "ingress", "protocol": "tcp", "port_range_min": "80",
        "port_range_max": "80", "remote_ip_prefix": "0.0.0.0/0"})
    assert "Rule added." in added.text and "<td>80</td>" in added.text


def test_the_cookie_is_secure_behind_tls(cloud, dashboard, conf):  # noqa: F811
    conf.set_override("secure_cookies", True, "dashboard")
    login = requests.get(f"{dashboard}/login", timeout=30)
    assert "; secure" in login.headers["Set-Cookie"].lower()
    # (a browser sends Secure cookies over TLS only: here they are sent by hand)
    signed = requests.post(f"{dashboard}/login", data={
        "csrf_token": csrf(login.text), "domain": "Default", "username": "demo",
        "password": DEMO_PASSWORD}, timeout=30, allow_redirects=False,
        headers={"Cookie": f"novalite_login_csrf={login.cookies['novalite_login_csrf']}"})
    assert signed.status_code == 303
    session_cookie = [part for part in signed.headers["Set-Cookie"].split(", novalite_")
                      if part.startswith("novalite_session=")][0]
    assert "; secure" in session_cookie.lower() and "httponly" in session_cookie.lower()
    conf.clear_override("secure_cookies", "dashboard")


def test_image_upload_and_project_switch(cloud, dashboard, admin):  # noqa: F811
    browser = sign_in(dashboard, "admin", ADMIN_PASSWORD)
    page = browser.page("/images")
    assert 'data-upload' in page.text and "<progress" in page.text
    uploaded = browser.post("/images", data={"csrf_token": browser.token, "name": "dash-up",
                                             "disk_format": "raw"},
                            files={"file": ("disk.raw", b"\1" * 4096)})
    assert "Image &#39;dash-up&#39; uploaded." in uploaded.text
    image = next(i for i in admin.image.images() if i.name == "dash-up")
    assert image.status == "active" and image.size == 4096
    # the script's upload (XMLHttpRequest with a progress bar) gets JSON back
    scripted = browser.post("/images", data={"csrf_token": browser.token, "name": "dash-up2",
                                             "disk_format": "raw"},
                            files={"file": ("disk.raw", b"\2" * 100)},
                            headers={"X-Requested-With": "fetch"})
    assert scripted.json() == {"location": "/images"}

    # the project switcher: a role on demo too, then the session is rescoped to it
    demo = admin.identity.find_project("demo")
    me = admin.identity.find_user("admin")
    admin.identity.assign_project_role_to_user(demo, me, admin.identity.find_role("member"))
    browser = sign_in(dashboard, "admin", ADMIN_PASSWORD)
    switcher = re.findall(r'<option value="([0-9a-f]+)"( selected)?>(\w+)</option>',
                          browser.page("/instances").text)
    assert {name for _, _, name in switcher} >= {"admin", "demo"}
    session = dashboard.app.sessions.get(browser.cookies["novalite_session"])
    before = session.token
    switched = browser.submit("/project", {"project_id": demo.id})
    assert "Project: demo" in switched.text
    assert re.search(rf'<option value="{demo.id}" selected>demo</option>', switched.text)
    assert session.project["id"] == demo.id and session.token != before
    # the token of the project left is revoked
    assert requests.get(f"{cloud['identity']}/v3/auth/tokens", timeout=30, headers={
        "X-Auth-Token": admin.auth_token, "X-Subject-Token": before}).status_code == 404
    # a project without a role is refused
    other = admin.identity.create_project(name="elsewhere", domain_id="default")
    refused = browser.submit("/project", {"project_id": other.id})
    assert "You have no role on that project." in refused.text


def test_a_failed_build_shows_its_fault_and_boot_from_volume(
        cloud, dashboard, admin, image_id):  # noqa: F811
    failing = admin.image.create_image(name="dash-fails", disk_format="raw",
                                       container_format="bare", data=b"\0" * 512,
                                       visibility="public", fake_fail_spawn="true")
    browser = sign_in(dashboard, "demo", DEMO_PASSWORD)
    launched = browser.submit("/instances/launch", {
        "name": "dash-broken", "image": failing.id, "flavor": "1", "network": "none",
        "count": "1"})
    server_id = launched.url.rsplit("/", 1)[1]
    wait_for(lambda: browser.get(f"/instances/{server_id}.json").json()["server"][
        "status"] == "ERROR", timeout=60, interval=0.1, message="ERROR")
    page = browser.page(f"/instances/{server_id}").text
    fault = re.search(r'<section class="fault" id="fault"><h2>Fault</h2><p>(\d+): ([^<]+)</p>',
                      page)
    assert fault and fault.group(1) == "500" and fault.group(2), page
    assert 'data-action-form="delete">' in page and 'data-action-form="pause" hidden>' in page

    # boot from a new volume made of the image: the volume shows on the detail page
    volume_boot = browser.submit("/instances/launch", {
        "name": "dash-bfv", "image": image_id, "flavor": "1", "network": "none",
        "count": "1", "boot_from_volume": "on", "boot_volume_size": "1"})
    assert "/instances/launch" not in volume_boot.url, volume_boot.text
    bfv_id = volume_boot.url.rsplit("/", 1)[1]
    wait_for(lambda: browser.get(f"/instances/{bfv_id}.json").json()["server"][
        "status"] == "ACTIVE", timeout=90, interval=0.2, message="booted from a volume")
    detail = browser.page(f"/instances/{bfv_id}").text
    assert "(booted from a volume)" in detail
    assert re.search(r'<dt>Volumes</dt><dd><a href="/volumes">[0-9a-f-]{36}</a>', detail)


def test_volume_attach_and_detach_from_the_page(cloud, dashboard, image_id):  # noqa: F811
    browser = sign_in(dashboard, "demo", DEMO_PASSWORD)
    launched = browser.submit("/instances/launch", {
        "name": "dash-disk", "image": image_id, "flavor": "1", "network": "none",
        "count": "1"})
    server_id = launched.url.rsplit("/", 1)[1]
    wait_for(lambda: browser.get(f"/instances/{server_id}.json").json()["server"][
        "status"] == "ACTIVE", timeout=60, interval=0.1, message="ACTIVE")
    browser.page("/volumes")
    browser.submit("/volumes", {"name": "dash-data", "size": "1"})

    def volume_row() -> str:
        page = browser.page("/volumes").text
        found = re.search(r"<tr><td>dash-data</td>.*?</tr>", page, re.S)
        return found.group(0) if found else ""

    wait_for(lambda: "<td>available</td>" in volume_row(), timeout=60, interval=0.2,
             message="the volume available")
    volume_id = re.search(r'action="/volumes/([0-9a-f-]+)/attach"', volume_row()).group(1)
    attached = browser.submit(f"/volumes/{volume_id}/attach", {"server_id": server_id})
    assert "Attaching the volume." in attached.text, attached.text
    wait_for(lambda: "<td>in-use</td>" in volume_row() and "dash-disk" in volume_row(),
             timeout=90, interval=0.2, message="the volume in use by the server")
    detail = browser.page(f"/instances/{server_id}").text
    assert f'<a href="/volumes">{volume_id}</a>' in detail
    detached = browser.submit(f"/volumes/{volume_id}/detach", {"server_id": server_id})
    assert "Detaching the volume." in detached.text
    wait_for(lambda: "<td>available</td>" in volume_row(), timeout=90, interval=0.2,
             message="the volume available again")
