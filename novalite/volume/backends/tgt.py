"""The userspace iSCSI target daemon tgtd, driven with ``tgtadm`` on its own control port.

With ``[volume] tgt_manage_daemon`` the service starts tgtd itself (``tgtd -f -C N
--iscsi portal=IP:PORT``) when none answers on the control port, and stops it again:
tgtd ignores SIGTERM, it leaves when told to go offline and delete the system.
"""

from __future__ import annotations

import logging
import re
import subprocess
import threading
import time

from novalite.volume.backends.qemu_img import BackendError

LOG = logging.getLogger(__name__)
_TARGET = re.compile(r"^Target (\d+): (\S+)$", re.M)
_START_TIMEOUT = 10.0


class Tgt:
    def __init__(self, control_port: int, portal_ip: str, portal_port: int,
                 manage_daemon: bool = True) -> None:
        self.control_port = control_port
        self.portal = f"{portal_ip}:{portal_port}"
        self.manage_daemon = manage_daemon
        self._daemon: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _admin(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        try:
            result = subprocess.run(["tgtadm", "-C", str(self.control_port), *args],
                                    capture_output=True, text=True, timeout=30)
        except OSError as error:
            raise BackendError(reason=f"tgtadm is not available ({error}); install tgt") \
                from None
        except subprocess.TimeoutExpired:
            raise BackendError(reason=f"tgtadm {' '.join(args)} did not answer") from None
        if check and result.returncode != 0:
            raise BackendError(reason=f"tgtadm {' '.join(args)} failed: "
                                      f"{(result.stderr or result.stdout).strip()}")
        return result

    def answering(self) -> bool:
        try:
            return self._admin("--op", "show", "--mode", "sys", check=False).returncode == 0
        except BackendError:
            return False

    def start(self) -> None:
        if self.answering():
            LOG.info("tgtd answers on control port %d", self.control_port)
            return
        if not self.manage_daemon:
            raise BackendError(reason=f"no tgtd answers on control port {self.control_port} "
                                      "and [volume] tgt_manage_daemon is off")
        try:
            self._daemon = subprocess.Popen(
                ["tgtd", "-f", "-C", str(self.control_port), "--iscsi",
                 f"portal={self.portal}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as error:
            raise BackendError(reason=f"tgtd is not available ({error}); install tgt") \
                from None
        deadline = time.monotonic() + _START_TIMEOUT
        while not self.answering():
            if self._daemon.poll() is not None or time.monotonic() > deadline:
                self._kill()
                raise BackendError(reason=f"tgtd did not start on portal {self.portal} "
                                          f"(control port {self.control_port})")
            time.sleep(0.05)
        LOG.info("started tgtd on portal %s, control port %d", self.portal,
                 self.control_port)

    def stop(self) -> None:
        """Stop the daemon this object started (a daemon found running is left alone)."""
        if self._daemon is None:
            return
        self._admin("--op", "update", "--mode", "sys", "--name", "State", "-v", "offline",
                    check=False)
        self._admin("--op", "delete", "--mode", "system", check=False)
        try:
            self._daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._kill()
        self._daemon = None

    def _kill(self) -> None:
        if self._daemon is not None and self._daemon.poll() is None:
            self._daemon.kill()
            self._daemon.wait(timeout=10)

    def targets(self) -> dict[str, int]:
        """target name → tid of every target the daemon exports."""
        shown = self._admin("--lld", "iscsi", "--op", "show", "--mode", "target").stdout
        return {name: int(tid) for tid, name in _TARGET.findall(shown)}

    def export(self, iqn: str, path: str, initiator_address: str | None) -> None:
        """Export ``path`` as LUN 1 of target ``iqn`` to ``initiator_address`` (anyone
        when None); nothing to do when it is exported already."""
        with self._lock:
            found = self.targets()
            if iqn in found:
                return
            tid = max(found.values(), default=0) + 1
            self._admin("--lld", "iscsi", "--op", "new", "--mode", "target", "--tid",
                        str(tid), "-T", iqn)
            try:
                self._admin("--lld", "iscsi", "--op", "new", "--mode", "logicalunit",
                            "--tid", str(tid), "--lun", "1", "-b", path)
                self._admin("--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid",
                            str(tid), "-I", initiator_address or "ALL")
            except BackendError:
                self._admin("--lld", "iscsi", "--op", "delete", "--force", "--mode",
                            "target", "--tid", str(tid), check=False)
                raise

    def unexport(self, iqn: str) -> None:
        with self._lock:
            tid = self.targets().get(iqn)
            if tid is not None:
                self._admin("--lld", "iscsi", "--op", "delete", "--force", "--mode",
                            "target", "--tid", str(tid))
