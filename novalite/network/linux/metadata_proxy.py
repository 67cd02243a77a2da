"""The metadata proxy: 169.254.169.254:80 inside the namespace, forwarding to the API.

It runs in novalite's own process, in the root namespace, so it reaches the metadata
API on 127.0.0.1; only its listening socket is made inside the namespace (a socket
keeps the namespace it was created in). For each request the source address tells
the network (by subnet) and the `lookup` the caller supplies tells the instance; the
request goes upstream with X-Instance-ID, X-Tenant-ID and X-Instance-ID-Signature
(HMAC-SHA256 of the instance id with the shared secret), as Neutron's proxy does.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import socket
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from novalite.network.linux.commands import DataPlaneError, run_in_namespace

LOG = logging.getLogger(__name__)

METADATA_IP = "169.254.169.254"
IP_FREEBIND = 15
MAX_BODY = 1 << 20
UPSTREAM_TIMEOUT = 30

# (network_id, fixed ip) -> (instance_id, project_id), or None when nobody has that address.
MetadataLookup = Callable[[str, str], "tuple[str, str] | None"]
# fixed ip -> network_id, or None when the address is in none of the networks.
NetworkOf = Callable[[str], "str | None"]

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
               "trailers", "transfer-encoding", "upgrade", "content-length", "server", "date"}


def sign(shared_secret: str, instance_id: str) -> str:
    return hmac.new(shared_secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()


def listen_socket(address: str, port: int) -> socket.socket:
    """A listening TCP socket; IP_FREEBIND lets it bind before any bridge has the address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
        sock.bind((address, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, sock: socket.socket, proxy: MetadataProxy) -> None:
        super().__init__(sock.getsockname(), _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.proxy = proxy

    def handle_error(self, request: object, client_address: object) -> None:
        LOG.exception("metadata proxy: request from %s failed", client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # keep-alive: a guest (cloud-init) asks for a dozen paths in a row; every reply
    # carries its Content-Length, and an idle connection is dropped after `timeout`.
    protocol_version = "HTTP/1.1"
    timeout = 30
    server_version = "novalite-metadata-proxy"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        LOG.debug("metadata proxy: %s " + format, self.client_address[0], *args)

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle holds the body back
        # for the guest's delayed ACK (40 ms a reply on a kept-alive connection)
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.proxy.close_upstream()

    def do_GET(self) -> None:  # noqa: N802
        self._proxy()

    def do_HEAD(self) -> None:  # noqa: N802
        self._proxy()

    def do_POST(self) -> None:  # noqa: N802
        self._proxy()

    def _reply(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _proxy(self) -> None:
        proxy = self.server.proxy
        source = self.client_address[0]
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._reply(400, b"Bad Request\n")
            return
        body = self.rfile.read(length) if length else b""
        try:
            found = proxy.identify(source)
        except Exception:
            LOG.exception("metadata proxy: lookup of %s failed", source)
            self._reply(500, b"Internal Server Error\n")
            return
        if found is None:
            self._reply(404, b"Not Found\n")
            return
        instance_id, project_id = found
        try:
            status, headers, payload = proxy.forward(self.command, self.path, body,
                                                     self.headers.get("Content-Type"),
                                                     instance_id, project_id, source)
        except (OSError, http.client.HTTPException) as error:
            LOG.warning("metadata proxy: upstream failed: %s", error)
            self._reply(502, b"Bad Gateway\n")
            return
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class MetadataProxy:
    """Serves 169.254.169.254:`port` inside `namespace` until stop()."""

    def __init__(self, namespace: str, network_of: NetworkOf, lookup: MetadataLookup,
                 upstream_url: str, shared_secret: str, port: int = 80,
                 address: str = METADATA_IP) -> None:
        upstream = urllib.parse.urlsplit(upstream_url)
        if upstream.scheme not in ("http", "https") or not upstream.hostname:
            raise DataPlaneError(f"invalid metadata upstream URL: {upstream_url!r}")
        self.namespace = namespace
        self.network_of = network_of
        self.lookup = lookup
        self.upstream = upstream
        self.shared_secret = shared_secret
        self.port = port
        self.address = address
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._local = threading.local()  # each guest connection's upstream connection

    def start(self) -> None:
        try:
            sock = run_in_namespace(self.namespace,
                                    lambda: listen_socket(self.address, self.port))
        except OSError as error:
            raise DataPlaneError(f"metadata proxy cannot listen on {self.address}:{self.port}"
                                 f" in namespace {self.namespace}: {error}") from error
        self._server = _Server(sock, self)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.5},
                                        name="metadata-proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def identify(self, source_ip: str) -> tuple[str, str] | None:
        network_id = self.network_of(source_ip)
        if network_id is None:
            return None
        return self.lookup(network_id, source_ip)

    def forward(self, method: str, path: str, body: bytes, content_type: str | None,
                instance_id: str, project_id: str, source_ip: str,
                ) -> tuple[int, list[tuple[str, str]], bytes]:
        if not path.startswith("/"):
            path = "/" + path
        base = self.upstream.path.rstrip("/")
        headers = {
            "X-Instance-ID": instance_id,
            "X-Tenant-ID": project_id,
            "X-Instance-ID-Signature": sign(self.shared_secret, instance_id),
            "X-Forwarded-For": source_ip,
        }
        if content_type:
            headers["Content-Type"] = content_type
        # a kept-alive connection the upstream closed meanwhile: reads are sent once more
        attempts = (1, 2) if method in ("GET", "HEAD") else (2,)
        for attempt in attempts:
            connection = self._upstream_connection()
            try:
                connection.request(method, base + path, body=body or None, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                connection.close()
                self._local.connection = None
            return response.status, response.getheaders(), payload
        raise AssertionError("unreachable")

    def _upstream_connection(self) -> http.client.HTTPConnection:
        """This thread's kept-alive connection to the metadata API."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection_class = (http.client.HTTPSConnection if self.upstream.scheme == "https"
                                else http.client.HTTPConnection)
            connection = connection_class(self.upstream.hostname or "", self.upstream.port,
                                          timeout=UPSTREAM_TIMEOUT)
            connection.connect()
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._local.connection = connection
        return connection

    def close_upstream(self) -> None:
        """Close this thread's upstream connection (its guest connection has ended)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
