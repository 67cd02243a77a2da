"""The consoles of a real tiny guest in headless Chromium, from the URL the ``openstack``
CLI prints: noVNC and spice-html5 connect, show the guest's screen and carry typed keys
to it (a command typed on the VGA console writes a marker to the serial port, found in
the console log); the serial page shows ``login:`` and runs a command; the XVP proxy
hands a raw client the RFB banner. Each test boots its own guest (key state such as
CapsLock must not carry over)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from tests.consoles import Refused, WebSocketClient, xvp_connect
from tests.functional.cloud import wait_for

#: characters typed with Shift on a US keyboard -> the key's code: sent as Shift down,
#: key, Shift up (noVNC and spice-html5 send scancodes, so text alone arrives unshifted;
#: capitals too, as Shift + KeyX)
_SHIFTED = {"$": "Digit4", "(": "Digit9", ")": "Digit0", "*": "Digit8", ">": "Period",
            "|": "Backslash", "_": "Minus"}


def type_keys(page: Any, text: str) -> None:
    for char in text:
        shifted = _SHIFTED.get(char) or (f"Key{char}" if char.isupper() else None)
        if shifted:
            page.keyboard.down("Shift")
            page.keyboard.press(shifted)
            page.keyboard.up("Shift")
        elif char == "\n":
            page.keyboard.press("Enter")
        else:
            page.keyboard.press(char)


def boot(admin: Any, image_id: str, name: str) -> Any:
    server = admin.compute.create_server(name=name, flavor_id="1", image_id=image_id,
                                         networks="none")
    server = admin.compute.wait_for_server(server, status="ACTIVE", wait=180, interval=0.5)
    wait_for(lambda: "login:" in admin.compute.get_server_console_output(server)["output"],
             timeout=180, interval=0.5, message="login: on the serial console")
    return server


def lit_pixels(page: Any, selector: str) -> int:
    return int(page.evaluate("""(selector) => {
        const canvas = document.querySelector(selector);
        if (!canvas || !canvas.width) return 0;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width,
                                                          canvas.height).data;
        let lit = 0;
        for (let i = 0; i < data.length; i += 4)
            if (data[i] + data[i + 1] + data[i + 2] > 96) lit++;
        return lit;
    }""", selector))


def keys_reach_the_guest(page: Any, admin: Any, server: Any, marker: str,
                         focus: Callable[[], None]) -> None:
    """Log in on the VGA console and type a command that writes ``marker-42`` to the
    serial port; typed again while the console log does not show it (getty may drop
    what arrives while it sets the terminal up)."""
    focus()
    type_keys(page, "root\n")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        type_keys(page, f"echo {marker}-$((6*7)) > /dev/ttyS0\n")
        try:
            wait_for(lambda: f"{marker}-42" in admin.compute.get_server_console_output(
                server)["output"], timeout=15, interval=0.5, message=marker)
            return
        except AssertionError:
            focus()
    page.screenshot(path=f"/tmp/{marker}.png")
    raise AssertionError(f"{marker}-42 never reached the serial console")


def test_novnc_connects_shows_the_screen_and_types(libvirt_conf, cloud, proxies, admin,
                                                   tiny_image, cli, page):
    server = boot(admin, tiny_image, "novnc")
    url = cli("console", "url", "show", "--novnc", server.id)["url"]
    page.goto(url)
    page.wait_for_function(
        "document.getElementById('status').textContent.includes('Connected')", timeout=60000)
    assert "Connected to QEMU" in page.text_content("#status")
    wait_for(lambda: lit_pixels(page, "#screen canvas") > 1000, timeout=60,
             message="the guest's text console on the canvas")
    keys_reach_the_guest(page, admin, server, "vnc-mark",
                         lambda: page.click("#screen canvas"))


def test_spice_html5_connects_shows_the_screen_and_types(libvirt_conf, cloud, proxies, admin,
                                                         tiny_image, cli, page):
    server = boot(admin, tiny_image, "spice")
    url = cli("console", "url", "show", "--spice", server.id)["url"]
    assert "spice_auto.html?token=" in url
    page.goto(url)  # spice-html5 keeps the token as a cookie, which the proxy reads
    wait_for(lambda: lit_pixels(page, "#spice-screen canvas") > 1000, timeout=90,
             message="the guest's screen on the SPICE canvas")
    keys_reach_the_guest(page, admin, server, "spice-mark",
                         lambda: page.click("#spice-screen canvas"))


def terminal_text(page: Any) -> str:
    return str(page.evaluate("""() => {
        const buffer = window.novaliteTerminal.buffer.active;
        const lines = [];
        for (let i = 0; i < buffer.length; i++)
            lines.push(buffer.getLine(i).translateToString(true));
        return lines.join('\\n');
    }"""))


def test_serial_page_logs_in_and_runs_a_command_then_tokens_end(
        libvirt_conf, cloud, proxies, admin, tiny_image, cli, page):
    server = boot(admin, tiny_image, "serial")
    url = cli("console", "url", "show", "--serial", server.id)["url"]
    assert url.startswith("ws://")
    page.goto("http" + url[len("ws"):])  # the same address over HTTP: the terminal page
    page.wait_for_function(
        "document.getElementById('status').textContent === 'Connected'", timeout=60000)
    page.click("#terminal")

    def prompt() -> bool:
        page.keyboard.press("Enter")  # getty prints its prompt again
        try:
            page.wait_for_function("() => { const b = window.novaliteTerminal.buffer.active;"
                                   " for (let i = 0; i < b.length; i++)"
                                   "  if (b.getLine(i).translateToString(true)"
                                   "      .includes('login:')) return true; return false; }",
                                   timeout=5000)
        except Exception:
            return False
        return True

    wait_for(prompt, timeout=90, interval=0.1, message="login: in the terminal")
    page.keyboard.type("root\n")
    wait_for(lambda: "#" in terminal_text(page).split("login:")[-1], timeout=60,
             message="a shell prompt")
    page.keyboard.type("echo serial-mark-$((6*7))\n")
    wait_for(lambda: "serial-mark-42" in terminal_text(page).replace("$((6*7))", ""),
             timeout=60, message="the command's output")

    # the XVP proxy: one HTTP request with the token, then the guest's RFB banner
    xvp = cli("console", "url", "show", "--xvpvnc", server.id)["url"]
    sock, status, rest = xvp_connect(xvp)
    assert status == 200
    while len(rest) < 12:
        rest += sock.recv(12)
    sock.close()
    assert rest.startswith(b"RFB 003.00"), rest

    # a hard reboot defines the guest anew on a new serial port: the old token is gone
    headers = {"X-Auth-Token": admin.auth_token, "OpenStack-API-Version": "compute 2.31"}
    token = url.split("token=")[1]

    def port(token: str) -> int:
        answer = requests.get(f"{cloud['compute']}/os-console-auth-tokens/{token}",
                              headers=headers, timeout=30)
        return int(answer.json()["console"]["port"]) if answer.status_code == 200 else 0

    old_port = port(token)
    admin.compute.reboot_server(server, "HARD")
    wait_for(lambda: port(token) == 0, timeout=120, interval=0.5, message="token deleted")
    admin.compute.wait_for_server(admin.compute.get_server(server.id), status="ACTIVE",
                                  wait=180, interval=0.5)
    fresh = cli("console", "url", "show", "--serial", server.id)["url"]
    assert port(fresh.split("token=")[1]) not in (0, old_port)
    for stale in (url, ):
        try:
            WebSocketClient(stale).close()
            raise AssertionError("a token from before the hard reboot was accepted")
        except Refused as refused:
            assert refused.status == 403
    # ... and a deleted server's token is refused
    admin.compute.delete_server(server)
    admin.compute.wait_for_delete(server, wait=120, interval=0.5)
    try:
        WebSocketClient(fresh).close()
        raise AssertionError("a deleted server's token was accepted")
    except Refused as refused:
        assert refused.status == 403
