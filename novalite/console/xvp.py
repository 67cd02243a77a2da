"""The XVP VNC proxy (nova-xvpvncproxy, removed from Nova in Ussuri): one HTTP request
carrying the token, then raw RFB both ways, for native viewers.

As nova's ``xvp_proxy``: the token comes from the request's query (400 ``Invalid
Request`` without one, 401 ``Unauthorized`` for a bad one); once the console is
reached the answer is ``HTTP/1.1 200 OK`` and the connection carries the guest's RFB
stream from the next byte on. ``novalite console connect`` does the HTTP step for a
stock viewer.
"""

from __future__ import annotations

import asyncio
import logging

from novalite.common import exception
from novalite.console import http, relay
from novalite.console.server import ConsoleServer
from novalite.console.tokens import TokenChecker

LOG = logging.getLogger(__name__)


class XVPProxy(ConsoleServer):
    def __init__(self, name: str, host: str, port: int, tokens: TokenChecker | None = None,
                 **tls: object) -> None:
        super().__init__(name, host, port, **tls)  # type: ignore[arg-type]
        self.tokens = tokens or TokenChecker()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     peer: str, secure: bool) -> None:
        request = await asyncio.wait_for(http.read_request(reader), 30)
        if request is None:
            return
        token = (request.query.get("token") or [""])[-1]
        if not token:
            await http.respond(writer, 400, b"Invalid Request\n")
            return
        try:
            connection = await self.tokens.check(token, ("xvpvnc",))
        except exception.InvalidToken:
            LOG.info("%s: refused a console session from %s: invalid token", self.name, peer)
            await http.respond(writer, 401, b"Unauthorized\n")
            return
        try:
            target = await relay.open_target(connection)
        except relay.TargetUnreachable as error:
            LOG.warning("%s: console of %s unreachable: %s", self.name,
                        connection.instance_uuid, error)
            await http.respond(writer, 502, b"The console is not reachable\n")
            return
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        await writer.drain()
        LOG.info("%s: VNC console of instance %s opened from %s", self.name,
                 connection.instance_uuid, peer)

        async def receive() -> bytes | None:
            return await reader.read(relay.CHUNK) or None

        async def send(data: bytes) -> None:
            writer.write(data)
            await writer.drain()

        sent, received = await relay.splice(receive, send, target)
        LOG.info("%s: console of instance %s from %s closed (%d bytes in, %d out)",
                 self.name, connection.instance_uuid, peer, sent, received)
