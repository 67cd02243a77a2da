"""Boots a built tiny guest straight under QEMU (no libvirt).

Used by the integration tests and bench/guest_boot.py, and handy to try an
image by hand. The serial console is QEMU's stdio (read by a thread into a
buffer the caller can wait on), QMP listens on a unix socket.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Sequence

from novalite.guest.builder import TinyImage


class GuestTimeout(AssertionError):
    """The guest did not print what was expected in time."""


class TinyGuest:
    """One QEMU process running the tiny guest under TCG."""

    def __init__(self, image: TinyImage, workdir: str, *, memory_mb: int = 256,
                 extra_args: Sequence[str] = ()) -> None:
        self.qmp_path = os.path.join(workdir, "qmp.sock")
        self.args = [
            "qemu-system-x86_64", "-accel", "tcg", "-m", str(memory_mb),
            "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-kernel", image.kernel, "-initrd", image.initramfs, "-append", image.cmdline,
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off", *extra_args]
        self._output = bytearray()
        self._changed = threading.Condition()
        self._reader: threading.Thread | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> TinyGuest:
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(self.args, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stream = self.process.stdout
        while chunk := os.read(stream.fileno(), 65536):
            with self._changed:
                self._output += chunk
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return self._output.decode(errors="replace")

    def wait_for(self, text: str, timeout: float, start: int = 0, count: int = 1) -> int:
        """Waits until `text` appeared `count` times after offset `start`; returns the
        offset just past the last one. Raises GuestTimeout with the console so far."""
        needle = text.encode()
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                position, found = start, 0
                while found < count:
                    index = self._output.find(needle, position)
                    if index < 0:
                        break
                    found, position = found + 1, index + len(needle)
                if found == count:
                    return position
                remaining = deadline - time.monotonic()
                exited = self.process is not None and self.process.poll() is not None
                if remaining <= 0 or (exited and not self._reader_alive()):
                    raise GuestTimeout(f"no {text!r} (x{count}) within {timeout}s; console:\n"
                                       + self._output.decode(errors="replace")[-3000:])
                self._changed.wait(min(remaining, 0.5))

    def _reader_alive(self) -> bool:
        return self._reader is not None and self._reader.is_alive()

    def type(self, text: str) -> None:
        """Types on the serial console, slowly enough for the emulated UART."""
        assert self.process is not None and self.process.stdin is not None
        for character in text.encode():
            self.process.stdin.write(bytes([character]))
            self.process.stdin.flush()
            time.sleep(0.02)

    def qmp(self, command: str, timeout: float = 10) -> dict[str, object]:
        """Runs one QMP command and returns its answer."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.qmp_path):
            if time.monotonic() > deadline:
                raise GuestTimeout("QMP socket never appeared")
            time.sleep(0.05)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(self.qmp_path)
            stream = sock.makefile("rwb")
            json.loads(stream.readline())  # the greeting
            for request in ({"execute": "qmp_capabilities"}, {"execute": command}):
                stream.write(json.dumps(request).encode() + b"\n")
                stream.flush()
                while True:
                    answer = json.loads(stream.readline())
                    if "return" in answer or "error" in answer:
                        break
            return answer  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()
            if self.process.stdin is not None:
                self.process.stdin.close()
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> TinyGuest:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
