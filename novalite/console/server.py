"""The shared part of every console proxy: a listening socket served by an asyncio
loop on a thread of its own (so ``novalite up`` runs all proxies in one process), TLS
as websockify does it, and a clean stop.

With a certificate (``[DEFAULT] cert``, when the file exists) a connection whose
first byte opens a TLS handshake is served over TLS, any other as plain HTTP unless
``[DEFAULT] ssl_only``. A session never outlives ``stop()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import ssl
import threading

from novalite.conf import CONF

LOG = logging.getLogger(__name__)
_TLS_HANDSHAKE = 0x16
_TLS_VERSIONS = {"tlsv1_1": ssl.TLSVersion.TLSv1_1, "tlsv1_2": ssl.TLSVersion.TLSv1_2,
                 "tlsv1_3": ssl.TLSVersion.TLSv1_3}


def tls_context() -> ssl.SSLContext | None:
    """The proxies' TLS context from ``[DEFAULT] cert/key`` and ``[console] ssl_*``;
    None when there is no certificate (an error if ``ssl_only`` wants one)."""
    cert = CONF.cert
    if not cert or not os.path.exists(cert):
        if CONF.ssl_only:
            raise SystemExit(f"[DEFAULT] ssl_only is set but the certificate {cert} "
                             "does not exist")
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, CONF.key or None)
    if CONF.console.ssl_ciphers:
        context.set_ciphers(CONF.console.ssl_ciphers)
    if CONF.console.ssl_minimum_version in _TLS_VERSIONS:
        context.minimum_version = _TLS_VERSIONS[CONF.console.ssl_minimum_version]
    return context


class ConsoleServer:
    """Accepts connections on ``host:port`` and runs ``handle`` for each."""

    def __init__(self, name: str, host: str, port: int,
                 tls: ssl.SSLContext | None = None, ssl_only: bool = False) -> None:
        self.name = name
        self.host = host
        self.tls = tls
        self.ssl_only = ssl_only
        self._listener = socket.create_server((host, port), backlog=128)
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     peer: str, secure: bool) -> None:
        raise NotImplementedError

    # --- running ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"console-{self.name}",
                                        daemon=True)
        self._thread.start()
        self._ready.wait(10)
        LOG.info("%s listening on %s", self.name, self.url)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._ready.set()
        accepting = asyncio.ensure_future(self._accept(loop))
        await self._stopped.wait()
        accepting.cancel()
        for session in list(self._sessions):
            session.cancel()
        await asyncio.gather(accepting, *self._sessions, return_exceptions=True)

    async def _accept(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            sock, address = await loop.sock_accept(self._listener)
            peer = f"{address[0]}:{address[1]}"
            task = asyncio.ensure_future(self._session(loop, sock, peer))
            self._sessions.add(task)
            task.add_done_callback(self._sessions.discard)

    async def _peek(self, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> bytes:
        readable: asyncio.Future[None] = loop.create_future()

        def ready() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(sock.fileno(), ready)
        try:
            await asyncio.wait_for(readable, 30)
        finally:
            loop.remove_reader(sock.fileno())
        try:
            return sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return b""

    async def _session(self, loop: asyncio.AbstractEventLoop, sock: socket.socket,
                       peer: str) -> None:
        writer: asyncio.StreamWriter | None = None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            context = None
            if self.tls is not None:
                first = await self._peek(loop, sock)
                if first and first[0] == _TLS_HANDSHAKE:
                    context = self.tls
                elif self.ssl_only:
                    LOG.info("%s: refused a plain connection from %s (ssl_only)",
                             self.name, peer)
                    sock.close()
                    return
            reader = asyncio.StreamReader(limit=64 * 1024)
            protocol = asyncio.StreamReaderProtocol(reader)
            transport, _ = await loop.connect_accepted_socket(
                lambda: protocol, sock, ssl=context,
                ssl_handshake_timeout=30 if context else None)
            writer = asyncio.StreamWriter(transport, protocol, reader, loop)
            await self.handle(reader, writer, peer, context is not None)
        except (TimeoutError, asyncio.CancelledError, ConnectionError, ssl.SSLError):
            pass
        except Exception:
            LOG.exception("%s: session from %s failed", self.name, peer)
        finally:
            if writer is not None:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            else:
                sock.close()

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._listener.close()
        LOG.info("%s stopped", self.name)
