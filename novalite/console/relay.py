"""Reaching a guest's console port and relaying bytes both ways until either side
closes (or the token expires, with ``[consoleauth] enforce_session_timeout``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from novalite.objects import ConsoleAuthToken

CHUNK = 64 * 1024
Receive = Callable[[], Awaitable[bytes | None]]
Send = Callable[[bytes], Awaitable[None]]


class TargetUnreachable(Exception):
    pass


async def open_target(connection: ConsoleAuthToken, timeout: float = 10.0
                      ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP connection to the console; with ``internal_access_path`` first the
    ``CONNECT <path>`` exchange nova's proxies do (a 200 line is required)."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(connection.host, connection.port), timeout)
    except (TimeoutError, OSError) as error:
        raise TargetUnreachable(f"{connection.host}:{connection.port}: {error}") from None
    if connection.internal_access_path:
        writer.write(f"CONNECT {connection.internal_access_path} HTTP/1.1\r\n\r\n".encode())
        await writer.drain()
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            writer.close()
            raise TargetUnreachable(f"no answer to CONNECT: {error}") from None
        if b"200" not in head.split(b"\r\n", 1)[0]:
            writer.close()
            raise TargetUnreachable("CONNECT was refused")
    return reader, writer


async def splice(receive: Receive, send: Send, target: tuple[asyncio.StreamReader,
                                                             asyncio.StreamWriter],
                 timeout: float | None = None) -> tuple[int, int]:
    """Relay client → target (``receive``) and target → client (``send``) until one side
    ends; the bytes each way."""
    reader, writer = target
    counts = [0, 0]

    async def upstream() -> None:
        while (data := await receive()) is not None:
            counts[0] += len(data)
            writer.write(data)
            await writer.drain()

    async def downstream() -> None:
        while data := await reader.read(CHUNK):
            counts[1] += len(data)
            await send(data)

    tasks = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:  # a closed or misbehaving side ends the session, nothing more
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    return counts[0], counts[1]
