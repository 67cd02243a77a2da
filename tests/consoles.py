"""Test helpers for the console proxies: a small blocking WebSocket client, a raw XVP
client, and a fake guest console (a TCP server that greets like QEMU's VNC server and
echoes what it gets)."""

from __future__ import annotations

import base64
import os
import socket
import socketserver
import struct
import threading
import urllib.parse

RFB_BANNER = b"RFB 003.008\n"


class Refused(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}: {body!r}")
        self.status = status
        self.body = body


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


class WebSocketClient:
    """Connects to ``ws://host:port/path`` (RFC 6455, masked frames)."""

    def __init__(self, url: str, origin: str | None = None, cookie: str | None = None,
                 protocols: tuple[str, ...] = ("binary",), timeout: float = 30) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=timeout)
        target = parsed.path or "/"
        if parsed.query:
            target += "?" + parsed.query
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {target} HTTP/1.1", f"Host: {parsed.hostname}:{parsed.port}",
                 "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
                 "Sec-WebSocket-Version: 13"]
        if protocols:
            lines.append(f"Sec-WebSocket-Protocol: {', '.join(protocols)}")
        if origin:
            lines.append(f"Origin: {origin}")
        if cookie:
            lines.append(f"Cookie: {cookie}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head, self._buffer = _read_head(self.sock)
        status = int(head.split(b" ", 2)[1]) if head else 0
        if status != 101:
            body = self._buffer
            self.sock.close()
            raise Refused(status, body)

    def _exact(self, count: int) -> bytes:
        while len(self._buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self._buffer += chunk
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def send(self, data: bytes, opcode: int = 0x2) -> None:
        mask = os.urandom(4)
        length = len(data)
        head = bytes([0x80 | opcode])
        if length < 126:
            head += bytes([0x80 | length])
        elif length < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + masked)

    def recv(self) -> bytes | None:
        """The next data frame's payload; None when the server closed."""
        while True:
            try:
                first, second = self._exact(2)
            except ConnectionError:
                return None
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._exact(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._exact(8))[0]
            payload = self._exact(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                return None
            if opcode in (0x1, 0x2, 0x0):
                return payload

    def recv_until(self, wanted: bytes) -> bytes:
        received = b""
        while wanted not in received:
            chunk = self.recv()
            if chunk is None:
                raise ConnectionError(f"closed before {wanted!r}; got {received!r}")
            received += chunk
        return received

    def close(self) -> None:
        try:
            self.send(struct.pack("!H", 1000), opcode=0x8)
        except OSError:
            pass
        self.sock.close()


def xvp_connect(url: str, timeout: float = 30) -> tuple[socket.socket, int, bytes]:
    """The XVP step: one HTTP request with the token; the socket, the status, and the
    bytes that followed the answer's head."""
    parsed = urllib.parse.urlsplit(url)
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=timeout)
    sock.sendall(f"GET {parsed.path}?{parsed.query} HTTP/1.1\r\n"
                 f"Host: {parsed.hostname}:{parsed.port}\r\n\r\n".encode())
    head, rest = _read_head(sock)
    return sock, int(head.split(b" ", 2)[1]), rest


class FakeConsole:
    """A guest console on 127.0.0.1: sends ``greeting`` to each client, then echoes."""

    def __init__(self, greeting: bytes = RFB_BANNER) -> None:
        self.connections = 0
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer.connections += 1
                self.request.sendall(greeting)
                while data := self.request.recv(65536):
                    self.request.sendall(data)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
