"""nova-novncproxy, nova-spicehtml5proxy and nova-serialproxy: a web client's static
files and, on the same port, a WebSocket per console session relayed to the guest.

Before a session is accepted (nova's ``new_websocket_client`` rules): the token
comes from the query of the WebSocket request path or the ``token`` cookie; the
conductor must know it, unexpired, for a console of this proxy's type that still
listens where it says; the Origin header must pass ``check_origin``. A refusal is an
HTTP 403 instead of the protocol switch. Logs name the instance and the peer, never
the token, the query string or a cookie.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Collection, Mapping

from novalite.common import exception
from novalite.conf import CONF
from novalite.console import http, relay, validation, websocket
from novalite.console.server import ConsoleServer
from novalite.console.tokens import TokenChecker

LOG = logging.getLogger(__name__)


class WebSocketProxy(ConsoleServer):
    def __init__(self, name: str, host: str, port: int, console_types: Collection[str],
                 static_roots: Mapping[str, str] | None = None, index: bytes | None = None,
                 tokens: TokenChecker | None = None, **tls: object) -> None:
        super().__init__(name, host, port, **tls)  # type: ignore[arg-type]
        self.console_types = frozenset(console_types)
        #: URL prefix -> directory, longest prefix first
        self.static_roots = sorted((static_roots or {}).items(), key=lambda i: -len(i[0]))
        self.index = index
        self.tokens = tokens or TokenChecker()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     peer: str, secure: bool) -> None:
        request = await asyncio.wait_for(http.read_request(reader), 30)
        if request is None:
            return
        if request.is_websocket():
            await self._websocket(request, reader, writer, peer)
        else:
            await self._static(request, writer)

    # --- the web client -----------------------------------------------------------------

    async def _static(self, request: http.Request, writer: asyncio.StreamWriter) -> None:
        if request.method not in ("GET", "HEAD"):
            await http.respond(writer, 405, b"Method not allowed\n", extra={"Allow": "GET"})
            return
        head_only = request.method == "HEAD"
        path = request.path
        if self.index is not None and path in ("/", "/index.html"):
            await http.respond(writer, 200, self.index, "text/html; charset=utf-8", head_only)
            return
        for prefix, root in self.static_roots:
            if path.startswith(prefix):
                found = http.static_path(root, path[len(prefix) - 1:])
                if found is not None:
                    await http.serve_file(writer, found, head_only)
                    return
                break
        await http.respond(writer, 404, b"Not found\n", head_only=head_only)

    # --- a console session --------------------------------------------------------------

    async def _refuse(self, writer: asyncio.StreamWriter, peer: str, reason: str) -> None:
        LOG.info("%s: refused a console session from %s: %s", self.name, peer, reason)
        await http.respond(writer, 403, f"{reason}\n".encode())

    async def _websocket(self, request: http.Request, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter, peer: str) -> None:
        key = request.header("sec-websocket-key")
        if not key or request.header("sec-websocket-version") != "13":
            await http.respond(writer, 400, b"Not a WebSocket version 13 request\n")
            return
        try:
            connection = await self.tokens.check(validation.token_of(request),
                                                 self.console_types)
            validation.check_origin(request, connection.access_url_base,
                                    CONF.console.allowed_origins)
        except exception.InvalidToken as error:
            await self._refuse(writer, peer, error.message)
            return
        except validation.OriginRefused as error:
            await self._refuse(writer, peer, error.message)
            return
        try:
            target = await relay.open_target(connection)
        except relay.TargetUnreachable as error:
            LOG.warning("%s: console of %s unreachable: %s", self.name,
                        connection.instance_uuid, error)
            await http.respond(writer, 502, b"The console is not reachable\n")
            return
        headers = {"Upgrade": "websocket", "Connection": "Upgrade",
                   "Sec-WebSocket-Accept": websocket.accept_key(key)}
        offered = [p.strip() for p in (request.header("sec-websocket-protocol") or "").split(",")]
        if "binary" in offered:
            headers["Sec-WebSocket-Protocol"] = "binary"
        writer.write(http.response_head(101, headers))
        await writer.drain()
        LOG.info("%s: %s console of instance %s opened from %s", self.name,
                 connection.console_type, connection.instance_uuid, peer)
        timeout = None
        if CONF.consoleauth.enforce_session_timeout and connection.expires is not None:
            now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
            timeout = max(0.0, (connection.expires - now).total_seconds())
        ws = websocket.WebSocket(reader, writer)
        sent, received = await relay.splice(ws.recv, ws.send, target, timeout)
        await ws.close()
        LOG.info("%s: console of instance %s from %s closed (%d bytes in, %d out)",
                 self.name, connection.instance_uuid, peer, sent, received)
