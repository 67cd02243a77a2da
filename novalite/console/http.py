"""The HTTP/1.1 the proxies speak before a session: one request head, a response, and
the web clients' static files (GET and HEAD, no directory listings)."""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import mimetypes
import os
import posixpath
import urllib.parse

MAX_HEAD = 16 * 1024
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
          ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2",
          ".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".txt": "text/plain; charset=utf-8"}
_REASONS = {101: "Switching Protocols", 200: "OK", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclasses.dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]  # names in lower case

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.target).path or "/"

    @property
    def query(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.target).query)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def is_websocket(self) -> bool:
        return ((self.header("upgrade") or "").lower() == "websocket"
                and "upgrade" in (self.header("connection") or "").lower())


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request head; None when the peer closed or sent no HTTP."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else (
                value.strip())
    return Request(parts[0].upper(), parts[1], headers)


def response_head(status: int, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def respond(writer: asyncio.StreamWriter, status: int, body: bytes = b"",
                  content_type: str = "text/plain; charset=utf-8",
                  head_only: bool = False, extra: dict[str, str] | None = None) -> None:
    headers = {"Date": email.utils.formatdate(usegmt=True), "Server": "novalite",
               "Content-Type": content_type, "Content-Length": str(len(body)),
               "Connection": "close", "X-Content-Type-Options": "nosniff", **(extra or {})}
    writer.write(response_head(status, headers) + (b"" if head_only else body))
    await writer.drain()


def static_path(root: str, url_path: str) -> str | None:
    """The file under ``root`` a URL path names (``/`` is ``index.html``); None for
    anything outside ``root`` or not a file."""
    normalized = posixpath.normpath("/" + urllib.parse.unquote(url_path))
    if "\0" in normalized:
        return None
    relative = normalized.lstrip("/") or "index.html"
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, relative))
    if not candidate.startswith(real_root + os.sep) or not os.path.isfile(candidate):
        return None
    return candidate


async def serve_file(writer: asyncio.StreamWriter, path: str, head_only: bool) -> None:
    extension = os.path.splitext(path)[1].lower()
    content_type = _TYPES.get(extension) or mimetypes.guess_type(path)[0] or (
        "application/octet-stream")
    with open(path, "rb") as handle:
        body = handle.read()
    await respond(writer, 200, body, content_type, head_only,
                  extra={"Cache-Control": "no-cache"})
