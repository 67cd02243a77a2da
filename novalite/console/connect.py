"""``novalite console connect SERVER``: a stock VNC viewer on a server's console.

Native viewers speak plain RFB and cannot send the one HTTP request with the token
that the XVP proxy (``novalite-xvpvncproxy``) wants first. This helper asks the
compute API for an ``xvpvnc`` console URL, listens on a local port, and for each
viewer that connects makes that request and relays the RFB stream both ways. The
URL (it carries the token) is never printed.
"""

from __future__ import annotations

import socket
import threading
import urllib.parse

from novalite.console.relay import CHUNK


class ProxyRefused(Exception):
    pass


def xvpvnc_url(server: str, cloud: str | None) -> str:
    """A fresh xvpvnc console URL of ``server`` (name or id), with the clouds.yaml
    entry ``cloud`` (openstacksdk, the client extra)."""
    import openstack

    conn = openstack.connect(cloud=cloud)
    found = conn.compute.find_server(server, ignore_missing=False)
    console = conn.compute.create_console(found, "xvpvnc")
    if not console or not console.get("url"):
        raise ProxyRefused("the compute API gave no console URL")
    return str(console["url"])


def open_session(url: str, timeout: float = 30) -> tuple[socket.socket, bytes]:
    """The HTTP step with the XVP proxy; the connection (now raw RFB) and any RFB bytes
    that came with the answer."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "http" or not parsed.hostname:
        raise ProxyRefused(f"not an xvpvnc URL (scheme {parsed.scheme!r})")
    port = parsed.port or 80
    upstream = socket.create_connection((parsed.hostname, port), timeout=timeout)
    upstream.sendall(f"GET {parsed.path or '/'}?{parsed.query} HTTP/1.1\r\n"
                     f"Host: {parsed.hostname}:{port}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = upstream.recv(4096)
        if not chunk:
            break
        answer += chunk
    head, _, rest = answer.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        upstream.close()
        raise ProxyRefused(f"the console proxy answered {status.decode(errors='replace')!r}")
    upstream.settimeout(None)
    return upstream, rest


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(CHUNK):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(viewer: socket.socket, url: str) -> None:
    """One viewer's session: the HTTP step, then RFB both ways until either side ends."""
    try:
        upstream, first = open_session(url)
    except (OSError, ProxyRefused):
        viewer.close()
        raise
    try:
        if first:
            viewer.sendall(first)
        back = threading.Thread(target=_pipe, args=(upstream, viewer), daemon=True)
        back.start()
        _pipe(viewer, upstream)
        back.join()
    finally:
        viewer.close()
        upstream.close()


class LocalListener:
    """Listens on ``host:port`` (0: any free port) and relays each viewer to ``url``."""

    def __init__(self, url: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.url = url
        self.sock = socket.create_server((host, port))
        self.address = self.sock.getsockname()[:2]

    def serve(self, once: bool = False) -> None:
        while True:
            viewer, _ = self.sock.accept()
            if once:
                self.sock.close()
                relay(viewer, self.url)
                return
            threading.Thread(target=self._session, args=(viewer,), daemon=True).start()

    def _session(self, viewer: socket.socket) -> None:
        try:
            relay(viewer, self.url)
        except (OSError, ProxyRefused) as error:
            print(f"novalite console connect: {error}", flush=True)
