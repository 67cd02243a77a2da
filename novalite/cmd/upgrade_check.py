"""``novalite-manage upgrade check``, as ``nova-status upgrade check``: can the running
cloud be upgraded to (or does it run well on) this code?

Each check answers Success, Warning or Failure with a sentence; the exit code is the
worst of them (0, 1, 2), as nova-status does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

SUCCESS, WARNING, FAILURE = 0, 1, 2
_NAMES = {SUCCESS: "Success", WARNING: "Warning", FAILURE: "Failure"}


@dataclasses.dataclass(frozen=True)
class Result:
    code: int
    details: str


def check_schema() -> Result:
    from novalite.db import migration

    current, heads = set(migration.db_versions()), set(migration.head_versions())
    if current == heads:
        return Result(SUCCESS, "The database schema is at the newest revision.")
    return Result(FAILURE, f"The database schema is at {sorted(current) or 'nothing'}, this "
                           f"code needs {sorted(heads)}: run 'novalite-manage db sync'.")


def check_service_versions() -> Result:
    """Every service must be this release or the one before (N-1); an older one would
    not understand what this control plane sends."""
    from novalite.db import service_store
    from novalite.objects.service import SERVICE_VERSION, level

    rows = service_store.list_services()
    if not rows:
        return Result(SUCCESS, "No service has reported yet.")
    too_old = [r for r in rows if int(r["version"] or 0) < SERVICE_VERSION - 1]
    if too_old:
        names = ", ".join(f"{r['binary']} on {r['host']} (release "
                          f"{level(int(r['version'] or 0)).release})" for r in too_old)
        return Result(FAILURE, f"These services are more than one release older than "
                               f"{level(SERVICE_VERSION).release}: {names}. Upgrade them "
                               "first, or delete the records of services that are gone.")
    older = [r for r in rows if int(r["version"] or 0) < SERVICE_VERSION]
    if older:
        names = ", ".join(f"{r['binary']} on {r['host']}" for r in older)
        return Result(WARNING, f"{len(older)} service(s) run release "
                               f"{level(SERVICE_VERSION - 1).release}: {names}. They work "
                               "with this control plane ([upgrade_levels] compute = auto); "
                               "upgrade them before the next release, which drops their "
                               "message shapes.")
    return Result(SUCCESS, f"Every service runs release {level(SERVICE_VERSION).release}.")


def check_upgrade_levels() -> Result:
    """No pin may stay once every node is upgraded; and while compute services of the
    previous release run, ``[upgrade_levels] compute`` must cap what is sent at what they
    speak (``auto`` or their version): unset, this control plane sends them 2.0, which
    they drop, and their servers stay in BUILD or in a task state for ever."""
    from novalite.conf import CONF
    from novalite.db import service_store
    from novalite.objects.base import version_tuple
    from novalite.objects.service import SERVICE_VERSION, level

    oldest = service_store.minimum_version("novalite-compute")
    compute = CONF.upgrade_levels.compute or None
    if oldest < SERVICE_VERSION and compute != "auto":
        speaks = level(oldest).compute_rpc
        if compute is None or version_tuple(compute) > version_tuple(speaks):
            return Result(FAILURE, f"Compute services of release {level(oldest).release} "
                                   f"speak compute RPC {speaks}, but [upgrade_levels] compute "
                                   f"is {compute or 'unset'}: they cannot understand what "
                                   "this control plane sends them. Set [upgrade_levels] "
                                   "compute = auto.")
    pinned = {name: getattr(CONF.upgrade_levels, name)
              for name in ("compute", "conductor", "scheduler")
              if getattr(CONF.upgrade_levels, name) not in (None, "", "auto")}
    if pinned:
        return Result(WARNING, "[upgrade_levels] pins " + ", ".join(
            f"{k} = {v}" for k, v in sorted(pinned.items())) + ": remove the pins (or set "
            "auto) once every node runs this release.")
    return Result(SUCCESS, "No RPC version is pinned.")


def check_secrets() -> Result:
    """Since 0.2.0 the services that verify a shared secret refuse to start without one:
    a node upgraded with an empty ``[neutron] metadata_proxy_shared_secret`` (0.1.0
    started with it) would not come back. Checked with this node's configuration for the
    services the database knows of (a Warning: other nodes may have their own files)."""
    from novalite.cmd import required_secrets
    from novalite.db import service_store

    binaries = sorted({row["binary"] for row in service_store.list_services()}
                      & set(required_secrets.CHECKS))
    found = [f"{binary}: {problem}" for binary in binaries
             for problem in required_secrets.problems(binary)]
    if found:
        return Result(WARNING, "With this configuration these services would refuse to "
                               "start: " + "; ".join(found))
    return Result(SUCCESS, "The services have the shared secrets they need.")


CHECKS: tuple[tuple[str, Callable[[], Result]], ...] = (
    ("Database schema", check_schema),
    ("Service versions", check_service_versions),
    ("RPC upgrade levels", check_upgrade_levels),
    ("Shared secrets", check_secrets),
)


def run(print_line: Callable[[str], None] = print) -> int:
    worst = SUCCESS
    rule = "+" + "-" * 76 + "+"
    print_line(rule)
    print_line("| Upgrade Check Results".ljust(77) + "|")
    for name, check in CHECKS:
        try:
            result = check()
        except Exception as error:  # a check that cannot run is a failure to report
            result = Result(FAILURE, f"The check could not run: {error}")
        worst = max(worst, result.code)
        print_line(rule)
        print_line(f"| Check: {name}".ljust(77) + "|")
        print_line(f"| Result: {_NAMES[result.code]}".ljust(77) + "|")
        print_line(f"| Details: {result.details}")
    print_line(rule)
    return worst
