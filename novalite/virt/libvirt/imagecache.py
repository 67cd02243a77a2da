"""The per-host cache of base images, downloaded from the image service.

One file per image under ``<images_path>/_base/``, fetched through the image client
(``novalite.image.client``) with the requesting user's token and verified against
the image's ``os_hash_value`` (or md5 ``checksum``) while it streams. A download is
written to a temporary file and only renamed into place once its checksum matched: a
corrupted download leaves nothing in the cache and is never booted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterable

from novalite.common import exception
from novalite.common.cache import KeyedLocks
from novalite.common.context import RequestContext
from novalite.image.client import ImageClient
from novalite.virt.driver import ImageMeta, VirtDriverError

LOG = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")
_CHUNK = 1024 * 1024


class ImageCache:
    def __init__(self, base_dir: str) -> None:
        self.base_dir = base_dir
        self._locks = KeyedLocks()

    def path(self, image_id: str) -> str:
        if not _SAFE_ID.match(image_id):
            raise VirtDriverError(f"Invalid image id {image_id!r}")
        return os.path.join(self.base_dir, image_id)

    def fetch(self, context: RequestContext | None, image_id: str) -> tuple[str, ImageMeta]:
        """(path of the cached base, image record); downloads it on first use."""
        path = self.path(image_id)
        with self._locks.hold(image_id):
            try:
                client = ImageClient(context)
                record = client.get(image_id)
            except exception.NovaliteException as error:
                raise VirtDriverError(f"Image {image_id} could not be read from the image "
                                      f"service: {error.message}") from None
            if record.get("status", "active") != "active":
                raise VirtDriverError(
                    f"Image {image_id} is {record.get('status')}, not active")
            if os.path.exists(path):
                os.utime(path)  # last use, for the clean-up's minimum age
                return path, record
            os.makedirs(self.base_dir, exist_ok=True)
            self._download(client, image_id, record, path)
            return path, record

    def _download(self, client: ImageClient, image_id: str, record: ImageMeta,
                  path: str) -> None:
        algo = record.get("os_hash_algo") if record.get("os_hash_value") else None
        expected = record.get("os_hash_value") if algo else record.get("checksum")
        if algo is None and expected:
            algo = "md5"
        try:
            digest = hashlib.new(algo) if algo else None
        except ValueError:
            raise VirtDriverError(f"Image {image_id}: unknown hash algorithm {algo}") from None
        partial = f"{path}.part-{os.getpid()}-{threading.get_ident()}"
        size = 0
        try:
            with client.open_data(image_id) as response, open(partial, "wb") as handle:
                for chunk in response.iter_content(_CHUNK):
                    handle.write(chunk)
                    size += len(chunk)
                    if digest is not None:
                        digest.update(chunk)
            if record.get("size") is not None and size != int(record["size"]):
                raise VirtDriverError(f"Download of image {image_id} is {size} bytes, the "
                                      f"image service says {record['size']}")
            if digest is not None and digest.hexdigest() != expected:
                raise VirtDriverError(
                    f"checksum mismatch for image {image_id}: {algo} of the download is "
                    f"{digest.hexdigest()}, the image service says {expected}; "
                    "the download was discarded")
            os.replace(partial, path)
            LOG.info("cached image %s (%d bytes, %s verified)", image_id, size, algo)
        except exception.NovaliteException as error:
            raise VirtDriverError(f"Download of image {image_id} failed: "
                                  f"{error.message}") from None
        except OSError as error:  # the stream broke off (requests' errors are OSErrors)
            raise VirtDriverError(f"Download of image {image_id} failed: {error}") from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def cached_ids(self) -> list[str]:
        if not os.path.isdir(self.base_dir):
            return []
        return sorted(name for name in os.listdir(self.base_dir)
                      if _SAFE_ID.match(name) and ".part-" not in name)

    def cleanup(self, used_ids: Iterable[str], minimum_age: float) -> list[str]:
        """Remove cached bases not in ``used_ids`` unused for ``minimum_age`` seconds."""
        used = set(used_ids)
        removed = []
        now = time.time()
        for image_id in self.cached_ids():
            if image_id in used:
                continue
            path = os.path.join(self.base_dir, image_id)
            with self._locks.hold(image_id):
                try:
                    if now - os.stat(path).st_mtime < minimum_age:
                        continue
                    os.unlink(path)
                except FileNotFoundError:
                    continue
            LOG.info("removed unused base image %s", image_id)
            removed.append(image_id)
        return removed
