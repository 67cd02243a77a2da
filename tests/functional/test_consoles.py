"""Remote consoles on the fake driver, end to end but for the guest: the URLs the
``openstack`` CLI prints, the admin token API, Nova's errors, and every proxy relaying
to a fake guest console (a TCP server greeting like QEMU's VNC) or refusing."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from typing import Any

import openstack
import pytest
import requests

from novalite.conf import CONF
from tests.consoles import RFB_BANNER, FakeConsole, Refused, WebSocketClient, xvp_connect
from tests.functional.cloud import wait_for
from tests.functional.conftest import ADMIN_PASSWORD, DEMO_PASSWORD


def _connect(cloud: dict[str, Any], user: str, password: str) -> Any:
    return openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": user, "password": password,
            "project_name": user, "user_domain_name": "Default",
            "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)


@pytest.fixture
def demo(cloud):
    return _connect(cloud, "demo", DEMO_PASSWORD)


@pytest.fixture
def admin(cloud):
    return _connect(cloud, "admin", ADMIN_PASSWORD)


@pytest.fixture
def image(admin, tmp_path):
    path = tmp_path / "disk.raw"
    path.write_bytes(b"\0" * 4096)
    return admin.image.create_image(name="console-test", filename=str(path),
                                    disk_format="raw", container_format="bare",
                                    visibility="public")


@pytest.fixture
def console() -> Iterator[FakeConsole]:
    fake = FakeConsole()
    yield fake
    fake.stop()


def _boot(demo: Any, image: Any, name: str = "vm") -> Any:
    server = demo.compute.create_server(name=name, flavor_id="1", image_id=image.id,
                                        networks="none")
    return demo.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)


def _point(cloud: dict[str, Any], admin: Any, server: Any, console: FakeConsole,
           kinds: tuple[str, ...] = ("vnc", "spice", "serial")) -> Any:
    """Make the fake driver's consoles of ``server`` the fake console's port."""
    from novalite.virt.driver import ConsoleEndpoint

    host = admin.compute.get_server(server.id).compute_host
    driver = cloud["plane"].driver(host)
    for kind in kinds:
        driver.console_endpoints[(server.id, kind)] = ConsoleEndpoint("127.0.0.1", console.port)
    return driver


def _cli_env(cloud: dict[str, Any], tmp_path: Any) -> dict[str, str]:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"demo": {
        "auth": {"auth_url": f"{cloud['identity']}/v3", "username": "demo",
                 "password": DEMO_PASSWORD, "project_name": "demo",
                 "user_domain_name": "Default", "project_domain_name": "Default"},
        "region_name": "RegionOne", "identity_api_version": 3}}}))
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    binary = os.path.join(os.path.dirname(sys.executable), "openstack")
    return subprocess.run([binary, "--os-cloud", "demo", *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def token_of(url: str) -> str:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if "path" in query:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(query["path"][0]).query)
    return query["token"][0]


def ws_url(url: str) -> str:
    """The WebSocket URL a web client builds from a console URL."""
    parts = urllib.parse.urlsplit(url)
    return f"ws://{parts.netloc}/?token={token_of(url)}"


def _remote_console(cloud: dict[str, Any], conn: Any, server_id: str, protocol: str,
                    kind: str, version: str = "2.6") -> requests.Response:
    return requests.post(f"{cloud['compute']}/servers/{server_id}/remote-consoles",
                         json={"remote_console": {"protocol": protocol, "type": kind}},
                         headers={"X-Auth-Token": conn.auth_token,
                                  "OpenStack-API-Version": f"compute {version}"}, timeout=30)


def _url(cloud: dict[str, Any], conn: Any, server_id: str, protocol: str, kind: str) -> str:
    response = _remote_console(cloud, conn, server_id, protocol, kind)
    assert response.status_code == 200, response.text
    return str(response.json()["remote_console"]["url"])


# --- the API ------------------------------------------------------------------------------

def test_console_url_show_prints_each_proxy_url(cloud, proxies, demo, admin, image, tmp_path):
    server = _boot(demo, image)
    env = _cli_env(cloud, tmp_path)
    urls = {}
    for flag in ("--novnc", "--xvpvnc", "--spice", "--serial"):
        result = _cli(env, "console", "url", "show", flag, server.id, "-f", "json")
        assert result.returncode == 0, result.stderr
        urls[flag] = json.loads(result.stdout)["url"]
    novnc_port, xvp_port = proxies["novncproxy"].port, proxies["xvpvncproxy"].port
    assert urls["--novnc"].startswith(
        f"http://127.0.0.1:{novnc_port}/vnc_lite.html?path=%3Ftoken%3D")
    assert urls["--xvpvnc"].startswith(f"http://127.0.0.1:{xvp_port}/console?token=")
    assert urls["--spice"].startswith(
        f"http://127.0.0.1:{proxies['spicehtml5proxy'].port}/spice_auto.html?token=")
    assert urls["--serial"].startswith(
        f"ws://127.0.0.1:{proxies['serialproxy'].port}/?token=")
    assert len({token_of(url) for url in urls.values()}) == 4

    # the admin view of a token (2.31+); below 2.31 only RDP tokens were shown
    token_url = f"{cloud['compute']}/os-console-auth-tokens/{token_of(urls['--serial'])}"
    headers = {"X-Auth-Token": admin.auth_token}
    shown = requests.get(token_url, headers={**headers, "OpenStack-API-Version": "compute 2.31"},
                         timeout=30)
    assert shown.status_code == 200, shown.text
    body = shown.json()["console"]
    assert set(body) == {"instance_uuid", "host", "port", "internal_access_path"}
    assert body["instance_uuid"] == server.id and body["host"] == "127.0.0.1"
    assert body["port"] >= 10000 and body["internal_access_path"] is None
    old = requests.get(token_url, headers=headers, timeout=30)
    assert old.status_code == 401
    assert "console type details are not accessible" in old.text
    missing = requests.get(f"{cloud['compute']}/os-console-auth-tokens/nope",
                           headers={**headers, "OpenStack-API-Version": "compute 2.31"},
                           timeout=30)
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["message"] == "Token not found"
    forbidden = requests.get(token_url, headers={"X-Auth-Token": demo.auth_token,
                                                 "OpenStack-API-Version": "compute 2.31"},
                             timeout=30)
    assert forbidden.status_code == 403


def test_console_errors_as_nova_answers_them(cloud, proxies, demo, admin, image):
    server = _boot(demo, image)
    compute = cloud["compute"]
    headers = {"X-Auth-Token": demo.auth_token}

    def action(body: dict[str, Any], version: str = "2.1") -> requests.Response:
        return requests.post(f"{compute}/servers/{server.id}/action", json=body,
                             headers={**headers, "OpenStack-API-Version": f"compute {version}"},
                             timeout=30)

    legacy = action({"os-getVNCConsole": {"type": "novnc"}})
    assert legacy.status_code == 200, legacy.text
    assert legacy.json()["console"]["type"] == "novnc"
    assert "vnc_lite.html?path=" in legacy.json()["console"]["url"]
    assert action({"os-getSerialConsole": {"type": "serial"}}).status_code == 200
    assert action({"os-getSPICEConsole": {"type": "spice-html5"}}).status_code == 200
    # the legacy actions end at 2.5
    assert action({"os-getVNCConsole": {"type": "novnc"}}, "2.6").status_code == 404
    # the schema: a type no protocol has, a missing type
    bad = action({"os-getVNCConsole": {"type": "spice-html5"}})
    assert bad.status_code == 400 and "is not one of" in bad.json()["badRequest"]["message"]
    assert _remote_console(cloud, demo, server.id, "vnc", "bogus").status_code == 400
    assert _remote_console(cloud, demo, server.id, "vnc", "novnc", "2.5").status_code == 404
    # known to Nova, not served: RDP (removed from Nova), webmks (VMware)
    rdp = _remote_console(cloud, demo, server.id, "rdp", "rdp-html5")
    assert rdp.status_code == 400
    assert rdp.json()["badRequest"]["message"] == "Unavailable console type rdp-html5."
    assert action({"os-getRDPConsole": {"type": "rdp-html5"}}).status_code == 400
    assert _remote_console(cloud, demo, server.id, "mks", "webmks", "2.8").status_code == 400
    # a type of another protocol
    mixed = _remote_console(cloud, demo, server.id, "vnc", "serial")
    assert mixed.status_code == 400
    assert mixed.json()["badRequest"]["message"] == "Invalid console type serial"
    # disabled on the compute node
    CONF.set_override("enabled", False, "vnc")
    try:
        off = _remote_console(cloud, demo, server.id, "vnc", "novnc")
        assert off.status_code == 400
        assert off.json()["badRequest"]["message"] == "Unavailable console type novnc."
    finally:
        CONF.clear_override("enabled", "vnc")
    # an unknown server; one that is not running
    assert _remote_console(cloud, demo, "0" * 32, "vnc", "novnc").status_code == 404
    demo.compute.stop_server(server)
    demo.compute.wait_for_server(demo.compute.get_server(server.id), status="SHUTOFF",
                                 wait=30, interval=0.1)
    stopped = _remote_console(cloud, demo, server.id, "serial", "serial")
    assert stopped.status_code == 409
    assert stopped.json()["conflictingRequest"]["message"] == (
        f"Instance {server.id} is not ready")


def test_a_cloud_capped_below_compute_2_1_answers_409(cloud, proxies, demo, image, conf):
    server = _boot(demo, image)
    conf.set_override("compute", "2.0", "upgrade_levels")
    try:
        capped = _remote_console(cloud, demo, server.id, "vnc", "novnc")
    finally:
        conf.clear_override("compute", "upgrade_levels")
    assert capped.status_code == 409
    assert "needs compute RPC 2.1" in capped.json()["conflictingRequest"]["message"]


# --- the proxies ----------------------------------------------------------------------------

def test_each_proxy_relays_to_the_guest_console(cloud, proxies, demo, admin, image, console):
    server = _boot(demo, image)
    _point(cloud, admin, server, console)
    # noVNC: the token in the WebSocket path's query, as vnc_lite.html builds it
    novnc = WebSocketClient(ws_url(_url(cloud, demo, server.id, "vnc", "novnc")),
                            origin=f"http://127.0.0.1:{proxies['novncproxy'].port}",
                            protocols=())
    assert novnc.recv_until(RFB_BANNER) == RFB_BANNER
    novnc.send(b"RFB 003.008\n")
    assert novnc.recv_until(b"RFB 003.008\n") == b"RFB 003.008\n"
    novnc.close()
    # spice-html5: the token as a cookie, the WebSocket on /websockify
    spice_url = _url(cloud, demo, server.id, "spice", "spice-html5")
    port = proxies["spicehtml5proxy"].port
    spice = WebSocketClient(f"ws://127.0.0.1:{port}/websockify",
                            cookie=f"other=1; token={token_of(spice_url)}")
    assert spice.recv_until(RFB_BANNER)
    spice.close()
    # serial: binary frames both ways (Nova's URL is already the WebSocket's)
    serial = WebSocketClient(_url(cloud, demo, server.id, "serial", "serial"))
    serial.recv_until(RFB_BANNER)
    serial.send(b"echo hi\r")
    assert serial.recv_until(b"echo hi\r")
    serial.close()
    # XVP: one HTTP request, then raw RFB
    sock, status, rest = xvp_connect(_url(cloud, demo, server.id, "vnc", "xvpvnc"))
    assert status == 200
    while not rest.startswith(RFB_BANNER):
        rest += sock.recv(100)
    sock.close()
    wait_for(lambda: console.connections == 4, message="four sessions reached the guest")


def _refused(url: str, **kwargs: Any) -> int:
    with pytest.raises(Refused) as refused:
        WebSocketClient(url, **kwargs).close()
    return refused.value.status


def test_proxies_refuse_bad_tokens_and_origins(cloud, proxies, demo, admin, image, console,
                                               conf):
    server = _boot(demo, image, "a")
    other = _boot(demo, image, "b")
    _point(cloud, admin, server, console)
    novnc_port = proxies["novncproxy"].port
    url = _url(cloud, demo, server.id, "vnc", "novnc")
    # a random token; a token of another console type at this proxy
    assert _refused(f"ws://127.0.0.1:{novnc_port}/?token=f00") == 403
    assert _refused(f"ws://127.0.0.1:{novnc_port}/") == 403
    serial_token = token_of(_url(cloud, demo, server.id, "serial", "serial"))
    assert _refused(f"ws://127.0.0.1:{novnc_port}/?token={serial_token}") == 403
    # a wrong Origin: another host, or https for an http console
    assert _refused(ws_url(url), origin="http://evil.example") == 403
    assert _refused(ws_url(url), origin=f"https://127.0.0.1:{novnc_port}") == 403
    conf.set_override("allowed_origins", ["console.example"], "console")
    try:
        WebSocketClient(ws_url(url), origin="http://console.example").close()
    finally:
        conf.clear_override("allowed_origins", "console")
    wait_for(lambda: console.connections == 1, message="the allowed origin's session")

    # a token for another instance: ``server`` moved to a new port and ``other`` now
    # listens on the one its token names; the token must not reach ``other``
    other_console = FakeConsole(b"OTHER GUEST\n")
    try:
        stale = _url(cloud, demo, server.id, "vnc", "novnc")
        driver = _point(cloud, admin, server, other_console, ("vnc",))
        from novalite.virt.driver import ConsoleEndpoint

        driver.console_endpoints[(other.id, "vnc")] = ConsoleEndpoint("127.0.0.1",
                                                                      console.port)
        driver.console_endpoints[(server.id, "vnc")] = ConsoleEndpoint("127.0.0.1",
                                                                       other_console.port)
        assert _refused(ws_url(stale)) == 403
        assert console.connections == 1 and other_console.connections == 0
    finally:
        other_console.stop()

    # XVP: no token is a 400, a bad one a 401
    xvp = proxies["xvpvncproxy"].port
    assert xvp_connect(f"http://127.0.0.1:{xvp}/console?x=1")[1] == 400
    assert xvp_connect(f"http://127.0.0.1:{xvp}/console?token=nope")[1] == 401


def test_tokens_end_with_their_ttl_and_the_guest(cloud, proxies, demo, admin, image, console,
                                                 conf):
    server = _boot(demo, image)
    _point(cloud, admin, server, console)
    headers = {"X-Auth-Token": admin.auth_token, "OpenStack-API-Version": "compute 2.31"}

    def shown(token: str) -> int:
        return requests.get(f"{cloud['compute']}/os-console-auth-tokens/{token}",
                            headers=headers, timeout=30).status_code

    conf.set_override("token_ttl", 1, "consoleauth")
    try:
        short = _url(cloud, demo, server.id, "serial", "serial")
    finally:
        conf.clear_override("token_ttl", "consoleauth")
    wait_for(lambda: shown(token_of(short)) == 404, timeout=10, message="token expired")
    assert _refused(short) == 403
    from novalite.conductor.manager import ConductorManager
    from novalite.db import console_auth_tokens

    assert console_auth_tokens.validate(
        __import__("hashlib").sha256(token_of(short).encode()).hexdigest()) is None
    ConductorManager("h", "novalite-conductor")._purge_expired_console_auth_tokens(None)
    assert console_auth_tokens.purge_expired() == 0  # the periodic task took it

    # a hard reboot moves the serial port (a new definition): the old token is gone
    before = _url(cloud, demo, server.id, "serial", "serial")
    port_before = requests.get(f"{cloud['compute']}/os-console-auth-tokens/"
                               f"{token_of(before)}", headers=headers,
                               timeout=30).json()["console"]["port"]
    driver = _point(cloud, admin, server, console, ("vnc",))
    driver.console_endpoints.pop((server.id, "serial"), None)
    demo.compute.reboot_server(server, "HARD")
    wait_for(lambda: shown(token_of(before)) == 404, timeout=30, message="token deleted")
    after = _url(cloud, demo, server.id, "serial", "serial")
    port_after = requests.get(f"{cloud['compute']}/os-console-auth-tokens/{token_of(after)}",
                              headers=headers, timeout=30).json()["console"]["port"]
    assert port_after != port_before
    assert _refused(before) == 403

    # stopping ends the tokens; so does deleting the server
    novnc = _url(cloud, demo, server.id, "vnc", "novnc")
    demo.compute.stop_server(server)
    wait_for(lambda: shown(token_of(novnc)) == 404, timeout=30, message="stop ends tokens")
    demo.compute.start_server(server)
    demo.compute.wait_for_server(demo.compute.get_server(server.id), status="ACTIVE",
                                 wait=30, interval=0.1)
    alive = _url(cloud, demo, server.id, "vnc", "novnc")
    WebSocketClient(ws_url(alive)).close()
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=30, interval=0.1)
    assert shown(token_of(alive)) == 404
    assert _refused(ws_url(alive)) == 403


def test_tokens_never_reach_the_logs(cloud, proxies, demo, admin, image, console, caplog):
    caplog.set_level(logging.DEBUG)
    server = _boot(demo, image)
    _point(cloud, admin, server, console)
    tokens = []
    for protocol, kind in (("vnc", "novnc"), ("serial", "serial"), ("spice", "spice-html5")):
        url = _url(cloud, demo, server.id, protocol, kind)
        tokens.append(token_of(url))
        client = WebSocketClient(ws_url(url))
        client.recv_until(RFB_BANNER)
        client.close()
    xvp_url = _url(cloud, demo, server.id, "vnc", "xvpvnc")
    tokens.append(token_of(xvp_url))
    xvp_connect(xvp_url)[0].close()
    requests.get(f"{cloud['compute']}/os-console-auth-tokens/{tokens[0]}",
                 headers={"X-Auth-Token": admin.auth_token,
                          "OpenStack-API-Version": "compute 2.31"}, timeout=30)
    _refused(ws_url(_url(cloud, demo, server.id, "vnc", "novnc")), origin="http://evil")
    wait_for(lambda: caplog.text.count("closed (") >= 4, timeout=10,
             message="session close lines")
    # what the cloud logged (the test's own HTTP clients log the URLs they fetch)
    clients = ("urllib3", "keystoneauth", "openstack", "requests")
    text = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records
                     if not r.name.startswith(clients))
    assert "console of instance" in text and "os-console-auth-tokens/***" in text
    for token in tokens:
        assert token not in text


def test_proxies_serve_the_web_clients_and_nothing_else(cloud, proxies, tmp_path, conf):
    web = tmp_path / "web"
    web.mkdir()
    (web / "vnc_lite.html").write_text("<title>noVNC</title>")
    (tmp_path / "secret").write_text("no")
    proxies["novncproxy"].static_roots = [("/", str(web))]
    base = f"http://127.0.0.1:{proxies['novncproxy'].port}"
    page = requests.get(f"{base}/vnc_lite.html?path=%3Ftoken%3Dx", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert requests.head(f"{base}/vnc_lite.html", timeout=10).status_code == 200
    for path in ("/../secret", "/%2e%2e/secret", "/", "/missing.js"):
        assert requests.get(base + path, timeout=10).status_code == 404
    assert requests.post(f"{base}/vnc_lite.html", timeout=10).status_code == 405
    serial = f"http://127.0.0.1:{proxies['serialproxy'].port}"
    terminal = requests.get(f"{serial}/?token=x", timeout=10)
    assert terminal.status_code == 200 and "/xterm/lib/xterm.js" in terminal.text
    xterm = requests.get(f"{serial}/xterm/lib/xterm.js", timeout=10)
    assert xterm.status_code == 200, f"no @xterm/xterm in {CONF.serial_console.xterm_dir}"


def test_console_connect_takes_a_stock_viewer_to_the_guest(cloud, proxies, demo, admin,
                                                          image, console, tmp_path):
    """``novalite console connect``: the HTTP step with the XVP proxy for a viewer that
    speaks only RFB; the viewer gets the guest's banner and its bytes are relayed."""
    server = _boot(demo, image, "viewer")
    _point(cloud, admin, server, console)
    env = _cli_env(cloud, tmp_path)
    binary = os.path.join(os.path.dirname(sys.executable), "novalite")
    process = subprocess.Popen([binary, "console", "connect", "--os-cloud", "demo", "--once",
                                "viewer"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("novalite: console of viewer on 127.0.0.1:"), (
            line + (process.stderr.read() if process.stderr else ""))
        port = int(line.split("127.0.0.1:")[1].split()[0])
        import socket

        with socket.create_connection(("127.0.0.1", port), timeout=30) as viewer:
            received = b""
            while RFB_BANNER not in received:
                received += viewer.recv(100)
            assert received == RFB_BANNER  # nothing of the HTTP step reaches the viewer
            viewer.sendall(b"RFB 003.008\n")
            echoed = b""
            while len(echoed) < 12:
                echoed += viewer.recv(100)
            assert echoed == b"RFB 003.008\n"
        assert process.wait(timeout=30) == 0
        assert "token" not in line
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_sessions_end_at_expiry_when_enforced(cloud, proxies, demo, admin, image, console,
                                              conf):
    """``[consoleauth] enforce_session_timeout``: the proxy closes a session when its
    token expires (off by default, as in Nova)."""
    server = _boot(demo, image)
    _point(cloud, admin, server, console)
    conf.set_override("token_ttl", 2, "consoleauth")
    conf.set_override("enforce_session_timeout", True, "consoleauth")
    try:
        client = WebSocketClient(_url(cloud, demo, server.id, "serial", "serial"))
        client.recv_until(RFB_BANNER)
        assert client.recv() is None  # closed by the proxy at expiry
    finally:
        conf.clear_override("token_ttl", "consoleauth")
        conf.clear_override("enforce_session_timeout", "consoleauth")


def _self_signed(tmp_path: Any) -> tuple[str, str]:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_tls_on_the_same_port_and_ssl_only(conf, tmp_path):
    """As websockify: with a certificate a TLS and a plain client share the port;
    ``ssl_only`` turns the plain one away."""
    from novalite.console.server import tls_context
    from novalite.console.websocketproxy import WebSocketProxy

    web = tmp_path / "web"
    web.mkdir()
    (web / "vnc_lite.html").write_text("noVNC")
    cert, key = _self_signed(tmp_path)
    conf.set_override("cert", cert)
    conf.set_override("key", key)
    try:
        for ssl_only in (False, True):
            conf.set_override("ssl_only", ssl_only)
            proxy = WebSocketProxy("test", "127.0.0.1", 0, ("novnc",),
                                   static_roots={"/": str(web)}, tls=tls_context(),
                                   ssl_only=ssl_only)
            proxy.start()
            try:
                url = f"127.0.0.1:{proxy.port}/vnc_lite.html"
                assert requests.get(f"https://{url}", verify=cert, timeout=10).text == "noVNC"
                if ssl_only:
                    with pytest.raises(requests.ConnectionError):
                        requests.get(f"http://{url}", timeout=10)
                else:
                    assert requests.get(f"http://{url}", timeout=10).text == "noVNC"
            finally:
                proxy.stop()
    finally:
        for option in ("cert", "key", "ssl_only"):
            conf.clear_override(option)
