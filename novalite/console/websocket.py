"""The server side of RFC 6455 over asyncio streams: the handshake answer and frames.

Only what a console relay needs: binary and text data (fragmented or not), ping,
pong and close. Client frames must be masked; server frames never are.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_MESSAGE = 16 * 1024 * 1024


class ProtocolError(Exception):
    pass


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()


def _unmask(data: bytes, mask: bytes) -> bytes:
    """XOR with the 4-byte mask, a big integer at a time (fast for long frames)."""
    length = len(data)
    if not length:
        return data
    key = (mask * (length // 4 + 1))[:length]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(
        length, "little")


def frame(opcode: int, payload: bytes = b"") -> bytes:
    length = len(payload)
    head = bytes([0x80 | opcode])
    if length < 126:
        head += bytes([length])
    elif length < 65536:
        head += bytes([126]) + struct.pack("!H", length)
    else:
        head += bytes([127]) + struct.pack("!Q", length)
    return head + payload


class WebSocket:
    """One accepted WebSocket connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.closed = False

    async def _frame(self) -> tuple[bool, int, bytes]:
        head = await self.reader.readexactly(2)
        fin, opcode = bool(head[0] & 0x80), head[0] & 0x0F
        if not head[1] & 0x80:
            raise ProtocolError("client frames must be masked")
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        if length > MAX_MESSAGE:
            raise ProtocolError("frame too large")
        mask = await self.reader.readexactly(4)
        return fin, opcode, _unmask(await self.reader.readexactly(length), mask)

    async def recv(self) -> bytes | None:
        """The next data message (text as its UTF-8 bytes); None once closed."""
        message = b""
        while True:
            try:
                fin, opcode, payload = await self._frame()
            except (asyncio.IncompleteReadError, ConnectionError):
                self.closed = True
                return None
            if opcode == OP_CLOSE:
                await self.close(int.from_bytes(payload[:2], "big") if payload else 1000)
                return None
            if opcode == OP_PING:
                await self._send(frame(OP_PONG, payload))
                continue
            if opcode == OP_PONG:
                continue
            if opcode not in (OP_CONTINUATION, OP_TEXT, OP_BINARY):
                raise ProtocolError(f"unknown opcode {opcode}")
            message += payload
            if len(message) > MAX_MESSAGE:
                raise ProtocolError("message too large")
            if fin:
                return message

    async def _send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def send(self, data: bytes) -> None:
        await self._send(frame(OP_BINARY, data))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        try:
            await self._send(frame(OP_CLOSE, struct.pack("!H", code) + reason.encode()[:120]))
        except (ConnectionError, RuntimeError):
            pass
