"""The volume service's work on its backends (Cinder's c-vol, in the API's process).

The API records a request and answers at once (202, status ``creating`` ...); the slow
part (an image download and conversion, a copy, a delete) runs here on a small thread
pool and ends in the final status: ``available``, or ``error`` with the reason logged.
Connections (export to a host, and back) are quick and done while the API waits, as
Cinder's attachment update is an RPC call.

At start-up, work a stopped service left half-done is settled as Cinder's
``init_host`` does: ``creating``/``downloading`` become ``error``, ``deleting`` is
done again, ``extending`` becomes ``error_extending``, ``uploading`` goes back.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.volume import backends, images
from novalite.volume.backends import Backend, ConnectionInfo, Connector
from novalite.volume.store import attachments, snapshots, types, volumes

LOG = logging.getLogger(__name__)
GIB = 1024 ** 3


class VolumeManager:
    def __init__(self, enabled: list[str] | None = None) -> None:
        self.backends: dict[str, Backend] = {
            name: backends.load(name) for name in (enabled or types.backends())}
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pending: set[concurrent.futures.Future[None]] = set()
        self._lock = threading.Lock()

    # --- life ---------------------------------------------------------------------------

    def start(self) -> None:
        started: list[Backend] = []
        try:
            for backend in self.backends.values():
                backend.start()
                started.append(backend)
        except Exception:
            for backend in reversed(started):
                backend.stop()
            raise
        self._pool = concurrent.futures.ThreadPoolExecutor(
            CONF.volume.backend_workers, thread_name_prefix="volume-backend")
        types.ensure_default_types()
        self._recover()

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for backend in self.backends.values():
            backend.stop()

    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait for the work submitted so far (tests, benchmarks)."""
        with self._lock:
            pending = list(self._pending)
        concurrent.futures.wait(pending, timeout=timeout)

    def backend(self, name: str) -> Backend:
        found = self.backends.get(name)
        if found is None:
            raise backends.BackendError(reason=f"Backend {name} is not enabled here")
        return found

    def _submit(self, what: str, work: Callable[[], None]) -> None:
        def run() -> None:
            try:
                work()
            except Exception:
                LOG.exception("%s failed", what)

        if self._pool is None:
            raise backends.BackendError(reason="The volume service is not running")
        future = self._pool.submit(run)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(lambda done: self._forget(done))

    def _forget(self, future: concurrent.futures.Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _recover(self) -> None:
        for volume in volumes.in_status(("creating", "downloading")):
            LOG.warning("volume %s was %s when the service stopped: error", volume["id"],
                        volume["status"])
            volumes.update_volume(volume["id"], {"status": "error"})
        for volume in volumes.in_status(("extending",)):
            volumes.update_volume(volume["id"], {"status": "error_extending"})
        for volume in volumes.in_status(("uploading",)):
            volumes.update_volume(volume["id"], {
                "status": "in-use" if volume["attach_status"] == "attached" else "available"})
        for volume in volumes.in_status(("deleting",)):
            self.delete_volume(volume)
        for snapshot in snapshots.in_status(("creating",)):
            snapshots.update_snapshot(snapshot["id"], {"status": "error"})
        for snapshot in snapshots.in_status(("deleting",)):
            self.delete_snapshot(snapshot)

    # --- volumes ------------------------------------------------------------------------

    def create_volume(self, ctxt: RequestContext, volume: dict[str, Any],
                      image: dict[str, Any] | None = None,
                      snapshot: dict[str, Any] | None = None,
                      source: dict[str, Any] | None = None) -> None:
        """Make the data of a recorded volume: blank, or a copy of an image, a snapshot
        or another volume; then ``available`` (or ``error``)."""
        backend = self.backend(volume["backend"])

        def work() -> None:
            try:
                if image is not None:
                    volumes.update_volume(volume["id"], {"status": "downloading"})
                    location = self._from_image(ctxt, backend, volume, image)
                elif snapshot is not None:
                    source_backend = self.backend(snapshot["backend"])
                    location = backend.create_from_file(
                        volume["id"], snapshot["provider_location"], source_backend.format,
                        volume["size"])
                elif source is not None:
                    source_backend = self.backend(source["backend"])
                    location = backend.create_from_file(
                        volume["id"], source["provider_location"], source_backend.format,
                        volume["size"], force_share=True)
                else:
                    location = backend.create(volume["id"], volume["size"])
            except Exception:
                volumes.update_volume(volume["id"], {"status": "error"})
                raise
            if not volumes.conditional_update(
                    volume["id"], {"status": "available", "provider_location": location},
                    statuses=("creating", "downloading")):
                backend.delete(location)  # deleted (or reset) meanwhile

        self._submit(f"creating volume {volume['id']}", work)

    def _from_image(self, ctxt: RequestContext, backend: Backend, volume: dict[str, Any],
                    image: dict[str, Any]) -> str:
        directory = os.path.expanduser(CONF.volume.image_conversion_dir)
        os.makedirs(directory, exist_ok=True)
        handle, path = tempfile.mkstemp(prefix=f"image-{image['id']}-", dir=directory)
        os.close(handle)
        try:
            images.ImageService(ctxt).download(image, path)
            source_format = image.get("disk_format") or "raw"
            if source_format not in ("qcow2", "raw", "vmdk", "vdi", "vhdx"):
                source_format = "raw"  # aki, ari, iso: the bytes as they are
            return backend.create_from_file(volume["id"], path, source_format,
                                            volume["size"])
        finally:
            if os.path.exists(path):
                os.unlink(path)

    def delete_volume(self, volume: dict[str, Any], cascade: bool = False) -> None:
        """Remove the volume's data (and, with its snapshots, theirs) and its record."""

        def work() -> None:
            try:
                for snapshot in snapshots.for_volume(volume["id"]):
                    self.backend(volume["backend"]).delete_snapshot(
                        snapshot["provider_location"])
                self.backend(volume["backend"]).delete(volume["provider_location"])
            except Exception:
                volumes.update_volume(volume["id"], {"status": "error_deleting"})
                raise
            volumes.delete_volume(volume["id"])

        self._submit(f"deleting volume {volume['id']}", work)

    def extend_volume(self, volume: dict[str, Any], new_size: int,
                      on_done: Callable[[dict[str, Any]], None] | None = None) -> None:
        """Grow the volume to ``new_size`` GiB; back to its status before (``on_done``
        then tells whoever uses an attached one)."""
        previous = volume["status"]

        def work() -> None:
            try:
                self.backend(volume["backend"]).extend(volume["provider_location"], new_size)
            except Exception:
                volumes.update_volume(volume["id"], {"status": "error_extending"})
                raise
            grown = volumes.update_volume(volume["id"], {"size": new_size,
                                                         "status": previous})
            if on_done is not None:
                on_done(grown)

        self._submit(f"extending volume {volume['id']}", work)

    def upload_to_image(self, ctxt: RequestContext, volume: dict[str, Any],
                        image: dict[str, Any], disk_format: str) -> None:
        """Copy the volume into the (queued) image; the volume back to its status."""
        previous = "in-use" if volume["attach_status"] == "attached" else "available"
        backend = self.backend(volume["backend"])

        def work() -> None:
            directory = os.path.expanduser(CONF.volume.image_conversion_dir)
            os.makedirs(directory, exist_ok=True)
            path = os.path.join(directory, f"upload-{image['id']}")
            service = images.ImageService(ctxt)
            try:
                backend.copy_to(volume["provider_location"], path, disk_format)
                service.upload(image["id"], path)
            except Exception:
                service.delete_image(image["id"])
                raise
            finally:
                volumes.update_volume(volume["id"], {"status": previous})
                if os.path.exists(path):
                    os.unlink(path)

        self._submit(f"uploading volume {volume['id']}", work)

    # --- snapshots ----------------------------------------------------------------------

    def create_snapshot(self, volume: dict[str, Any], snapshot: dict[str, Any]) -> None:
        backend = self.backend(volume["backend"])

        def work() -> None:
            try:
                location = backend.create_snapshot(snapshot["id"],
                                                   volume["provider_location"])
            except Exception:
                snapshots.update_snapshot(snapshot["id"], {"status": "error"})
                raise
            if not snapshots.conditional_update(
                    snapshot["id"], {"status": "available", "progress": "100%",
                                     "provider_location": location},
                    statuses=("creating",)):
                backend.delete_snapshot(location)

        self._submit(f"creating snapshot {snapshot['id']}", work)

    def delete_snapshot(self, snapshot: dict[str, Any]) -> None:
        def work() -> None:
            volume = volumes.find_volume(snapshot["volume_id"])
            try:
                if volume is not None:
                    self.backend(volume["backend"]).delete_snapshot(
                        snapshot["provider_location"])
            except Exception:
                snapshots.update_snapshot(snapshot["id"], {"status": "error_deleting"})
                raise
            snapshots.delete_snapshot(snapshot["id"])

        self._submit(f"deleting snapshot {snapshot['id']}", work)

    # --- connections --------------------------------------------------------------------

    def connect(self, volume: dict[str, Any], connector: Connector) -> ConnectionInfo:
        return self.backend(volume["backend"]).connect(volume, connector)

    def disconnect(self, volume: dict[str, Any], connector: Connector | None) -> None:
        last = not attachments.list_attachments(None, volume_id=volume["id"])
        self.backend(volume["backend"]).disconnect(volume, connector, last)


_manager: VolumeManager | None = None
_manager_lock = threading.Lock()


def get() -> VolumeManager:
    """This process's manager (made from the configuration on first use)."""
    global _manager
    with _manager_lock:
        if _manager is None:
            _manager = VolumeManager()
        return _manager


def reset() -> None:
    global _manager
    with _manager_lock:
        _manager = None
