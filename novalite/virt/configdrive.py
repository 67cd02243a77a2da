"""Config drives (``nova/virt/configdrive.py``): the metadata tree on an ISO 9660 volume.

The volume is labelled ``config-2`` and holds what ``InstanceMetadata
.metadata_for_config_drive`` yields: ``openstack/{version}/meta_data.json``,
``user_data``, ``vendor_data.json``, ``network_data.json``, ``vendor_data2.json`` for
every OpenStack version and ``latest``, and ``ec2/{version}/meta-data.json`` (plus
``user-data``) for the EC2 versions not in ``[api] config_drive_skip_versions``. It is
written with ``[DEFAULT] mkisofs_cmd`` (genisoimage) and the options Nova passes it.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import tempfile

from novalite.common.metadata_tree import InstanceMetadata
from novalite.conf import CONF

VOLUME_LABEL = "config-2"


class ConfigDriveError(Exception):
    pass


def _publisher() -> str:
    try:
        return f"novalite {importlib.metadata.version('novalite')}"
    except importlib.metadata.PackageNotFoundError:
        return "novalite"


def write_tree(directory: str, metadata: InstanceMetadata) -> list[str]:
    """Write the config drive's files under ``directory``; the relative paths written."""
    written = []
    for relative, content in metadata.metadata_for_config_drive():
        target = os.path.join(directory, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(content)
        written.append(relative)
    return written


def build_config_drive(path: str, metadata: InstanceMetadata) -> None:
    """Write the ISO 9660 config drive of ``metadata`` to ``path`` (replacing it)."""
    if CONF.config_drive_format != "iso9660":
        raise ConfigDriveError(f"Unknown config drive format {CONF.config_drive_format}")
    with tempfile.TemporaryDirectory(prefix="configdrive-") as tree:
        write_tree(tree, metadata)
        command = [CONF.mkisofs_cmd, "-o", path, "-ldots", "-allow-lowercase",
                   "-allow-multidot", "-l", "-publisher", _publisher(),
                   "-quiet", "-J", "-r", "-V", VOLUME_LABEL, tree]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=120,
                                    check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ConfigDriveError(f"{CONF.mkisofs_cmd} failed: {error}") from error
        if result.returncode != 0:
            raise ConfigDriveError(f"{CONF.mkisofs_cmd} failed ({result.returncode}): "
                                   f"{result.stderr.strip()}")
