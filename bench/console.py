"""Consoles of a real guest through novalite-novncproxy: seconds from ``openstack console
url show --novnc`` to the first frame (the first RFB FramebufferUpdate the guest's VNC
server sends through the proxy's WebSocket), and the throughput of 20 concurrent console
sessions asking for full frames. Prints JSON.

A session is what noVNC does, without the browser: the WebSocket with the token, the
RFB 3.8 handshake (security None, shared), SetEncodings raw, then full (non-incremental)
FramebufferUpdateRequests one after the other for ``--seconds``.

usage: python bench/console.py [--first 5] [--sessions 20] [--seconds 10]
Needs libvirt (tools/setup-libvirt) and runs ``novalite up`` in a scratch data dir
(the tiny image from NOVALITE_TINY_CACHE when set, as bench/vm_boot.py).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

import requests

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from boot import free_port  # noqa: E402
from vm_boot import Client  # noqa: E402

from tests.consoles import WebSocketClient  # noqa: E402


def start_cloud(data_dir: str) -> tuple[subprocess.Popen[str], str, int]:
    ports = {key: free_port() for key in ("identity", "image", "compute", "network",
                                          "metadata", "novnc", "xvp", "spice", "serial",
                                          "dashboard")}
    cache = os.environ.get("NOVALITE_TINY_CACHE",
                           os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))
    if os.path.isdir(cache):
        shutil.copytree(cache, os.path.join(data_dir, "tiny"))
    with open(os.path.join(data_dir, "novalite.conf"), "w") as handle:
        handle.write(f"[DEFAULT]\nosapi_compute_listen_port = {ports['compute']}\n"
                     f"metadata_listen_port = {ports['metadata']}\n"
                     "compute_driver = libvirt\nbuild_tiny_image = true\n"
                     f"[identity]\nlisten_port = {ports['identity']}\n"
                     f"[image]\nbind_port = {ports['image']}\n"
                     f"[network]\nbind_port = {ports['network']}\n"
                     f"namespace = nlbench-{os.getpid()}\n"
                     f"[dashboard]\nlisten_port = {ports['dashboard']}\n"
                     f"[vnc]\nnovncproxy_port = {ports['novnc']}\n"
                     f"novncproxy_base_url = http://127.0.0.1:{ports['novnc']}/vnc_lite.html\n"
                     f"xvpvncproxy_port = {ports['xvp']}\n"
                     f"[spice]\nhtml5proxy_port = {ports['spice']}\n"
                     f"[serial_console]\nserialproxy_port = {ports['serial']}\n")
    novalite = os.path.join(os.path.dirname(sys.executable), "novalite")
    process = subprocess.Popen([novalite, "up", "--data-dir", data_dir],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "clouds.yaml written" in line:
            break
    else:
        raise RuntimeError("novalite up did not come up:\n" + "".join(lines))
    import threading

    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, os.path.join(data_dir, "clouds.yaml"), ports["novnc"]


class RFB:
    """An RFB 3.8 client over the proxy's WebSocket (raw encoding only)."""

    def __init__(self, url: str) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        netloc = urllib.parse.urlsplit(url).netloc
        self.ws = WebSocketClient(f"ws://{netloc}/{query['path'][0]}", protocols=())
        self.buffer = b""
        self.received = 0

    def read(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.ws.recv()
            if chunk is None:
                raise ConnectionError("the proxy closed the session")
            self.buffer += chunk
            self.received += len(chunk)
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def handshake(self) -> None:
        version = self.read(12)
        assert version.startswith(b"RFB 003."), version
        self.ws.send(b"RFB 003.008\n")
        types = self.read(self.read(1)[0])
        assert 1 in types, f"no security type None: {list(types)}"
        self.ws.send(b"\x01")
        assert self.read(4) == b"\0\0\0\0", "security handshake failed"
        self.ws.send(b"\x01")  # ClientInit: shared
        self.width, self.height = struct.unpack("!HH", self.read(4))
        self.bytes_per_pixel = self.read(16)[0] // 8
        self.read(struct.unpack("!I", self.read(4))[0])
        self.ws.send(struct.pack("!BBHi", 2, 0, 1, 0))  # SetEncodings: raw

    def frame(self, incremental: bool = False) -> int:
        """Ask for the whole screen; the bytes of the update that answers."""
        self.ws.send(struct.pack("!BBHHHH", 3, int(incremental), 0, 0, self.width,
                                 self.height))
        while True:
            kind = self.read(1)[0]
            if kind == 0:
                break
            if kind == 2:  # bell
                continue
            if kind == 3:  # server cut text
                self.read(3)
                self.read(struct.unpack("!I", self.read(4))[0])
                continue
            raise ValueError(f"unexpected RFB message {kind}")
        self.read(1)
        size = 0
        for _ in range(struct.unpack("!H", self.read(2))[0]):
            _x, _y, w, h, encoding = struct.unpack("!HHHHi", self.read(12))
            if encoding == 0:
                size += len(self.read(w * h * self.bytes_per_pixel))
        return size

    def close(self) -> None:
        self.ws.close()


def first_frame(clouds_yaml: str, server_id: str) -> dict[str, float]:
    openstack = os.path.join(os.path.dirname(sys.executable), "openstack")
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds_yaml)
    started = time.monotonic()
    shown = subprocess.run([openstack, "--os-cloud", "novalite", "console", "url", "show",
                            "--novnc", server_id, "-f", "json"], env=env, check=True,
                           capture_output=True, text=True)
    url = json.loads(shown.stdout)["url"]
    printed = time.monotonic()
    session = RFB(url)
    session.handshake()
    session.frame()
    done = time.monotonic()
    session.close()
    return {"total_s": done - started, "cli_s": printed - started,
            "url_to_frame_s": done - printed}


def console_url(client: Client, server_id: str) -> str:
    response = client.session.post(f"{client.compute}/servers/{server_id}/remote-consoles",
                                   json={"remote_console": {"protocol": "vnc",
                                                            "type": "novnc"}})
    response.raise_for_status()
    return str(response.json()["remote_console"]["url"])


def session(client: Client, server_id: str, seconds: float) -> dict[str, float]:
    started = time.monotonic()
    rfb = RFB(console_url(client, server_id))
    rfb.handshake()
    frames, size = 1, rfb.frame()
    first = time.monotonic() - started
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        size += rfb.frame()
        frames += 1
    rfb.close()
    return {"first_frame_s": first, "frames": frames, "bytes": rfb.received}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--first", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="novalite-bench-console-")
    process, clouds_yaml, _ = start_cloud(data_dir)
    client = Client(clouds_yaml)
    server_id = None
    try:
        server_id = str(client.boot("console-bench")["id"])
        firsts = [first_frame(clouds_yaml, server_id) for _ in range(args.first)]
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.sessions) as pool:
            runs = list(pool.map(lambda _: session(client, server_id, args.seconds),
                                 range(args.sessions)))
        elapsed = time.monotonic() - started
        frames = sum(r["frames"] for r in runs)
        received = sum(r["bytes"] for r in runs)
        print(json.dumps({
            "url_show_to_first_frame_p50_s": round(statistics.median(
                f["total_s"] for f in firsts), 3),
            "url_show_to_first_frame_max_s": round(max(f["total_s"] for f in firsts), 3),
            "cli_p50_s": round(statistics.median(f["cli_s"] for f in firsts), 3),
            "url_to_first_frame_p50_s": round(statistics.median(
                f["url_to_frame_s"] for f in firsts), 3),
            "concurrent_sessions": args.sessions,
            "session_first_frame_p50_s": round(statistics.median(
                r["first_frame_s"] for r in runs), 3),
            "session_first_frame_max_s": round(max(r["first_frame_s"] for r in runs), 3),
            "full_frames_per_s": round(frames / elapsed, 1),
            "MiB_per_s": round(received / elapsed / 2 ** 20, 2),
        }, indent=2))
    finally:
        if server_id:
            try:
                client.delete(server_id)
            except requests.RequestException:
                pass
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
