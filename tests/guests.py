"""Real libvirt guests in tests: domain names no other run can hold.

Every cloud of the test suite starts its instance ids at 1, so with Nova's default
``instance-%08x`` two runs sharing the host's libvirt (a run killed half-way, another
checkout's suite) would both name a guest ``instance-00000001`` and the second define
would fail. Each test gets ``[DEFAULT] instance_name_template`` with a prefix naming the
test process (``nlt<pid>x<random>-``); domains left by processes that no longer exist are
removed before the first guest of a run.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from typing import Any

VIRSH = ("virsh", "-c", "qemu:///system")
_PREFIX = re.compile(r"^nlt(\d+)x[0-9a-f]+-")
_swept = False


def _virsh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VIRSH, *args], capture_output=True, text=True, check=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_dead_runs() -> list[str]:
    """Destroys and undefines the domains of test processes that are gone."""
    removed = []
    for name in _virsh("list", "--all", "--name").stdout.split():
        match = _PREFIX.match(name)
        if match is None or _alive(int(match.group(1))):
            continue
        _virsh("destroy", name)
        _virsh("undefine", name, "--nvram")
        removed.append(name)
    return removed


def use_libvirt(conf: Any) -> str:
    """Real guests for this test, under a domain-name prefix of its own (returned)."""
    global _swept
    if not _swept:
        sweep_dead_runs()
        _swept = True
    prefix = f"nlt{os.getpid()}x{uuid.uuid4().hex[:6]}-"
    conf.set_override("compute_driver", "libvirt")
    conf.set_override("instance_name_template", f"{prefix}%08x")
    return prefix
