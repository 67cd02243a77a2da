"""The shared secrets each service needs before it may start, and how to make them.

A service that verifies (or signs for another to verify) a shared secret refuses to
start when that secret is empty or a well-known placeholder, and names the option to
set: with an empty ``[neutron] metadata_proxy_shared_secret`` an HMAC made with the
empty key would be accepted, and anyone could read any instance's metadata.
``novalite-manage secrets generate`` writes every secret of a multi-node install into
one configuration file (mode 0600) for all nodes; ``novalite up`` makes its own into
its data directory.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Callable

from novalite.conf import CONF

#: values a sample or a tutorial suggests; never accepted as a secret
PLACEHOLDERS = frozenset({"changeme", "change_me", "change-me", "secret", "password",
                          "default", "nova", "admin", "openstack", "none", "null"})
#: shortest secret accepted (a generated one is far longer)
MIN_LENGTH = 8


@dataclasses.dataclass(frozen=True)
class Secret:
    """One option holding a shared secret."""

    group: str
    name: str
    why: str
    #: characters of randomness ``generate`` puts in (token_urlsafe bytes)
    nbytes: int = 32

    @property
    def option(self) -> str:
        return f"[{self.group}] {self.name}"

    def value(self) -> str:
        return str(getattr(getattr(CONF, self.group), self.name) or "")


METADATA_SECRET = Secret("neutron", "metadata_proxy_shared_secret",
                         "the metadata proxy signs X-Instance-ID with it")
NEUTRON_PASSWORD = Secret("neutron", "password",
                          "the compute nodes' service user binds ports with it", 24)
NOVA_PASSWORD = Secret("nova", "password",
                       "the volume service's service user tells Nova with it", 24)
AUTHTOKEN_PASSWORD = Secret("keystone_authtoken", "password",
                            "remote token validation logs in with it", 24)
#: what ``generate`` writes; the service user ``nova`` of ``[neutron]``, ``[nova]`` and
#: ``[keystone_authtoken]`` is one user (``novalite-manage bootstrap`` makes it with the
#: ``[neutron] password``), so the three passwords are one value
GENERATED = (METADATA_SECRET, NEUTRON_PASSWORD)
SAME_AS_NEUTRON_PASSWORD = (NOVA_PASSWORD, AUTHTOKEN_PASSWORD)


def weakness(value: str) -> str | None:
    """Why ``value`` cannot be a secret, or None."""
    stripped = value.strip()
    if not stripped:
        return "is empty"
    if stripped.lower() in PLACEHOLDERS:
        return f"is the placeholder {stripped!r}"
    if len(stripped) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    return None


def _secret_problem(secret: Secret) -> str | None:
    why_not = weakness(secret.value())
    if why_not is None:
        return None
    return (f"{secret.option} {why_not}: set it ({secret.why}); "
            f"`novalite-manage secrets generate` makes every secret of an install")


def _fernet_problem() -> str | None:
    from novalite.common import exception
    from novalite.identity import fernet

    try:
        fernet.load_keys()
    except (exception.ConfigurationError, ValueError, OSError) as error:
        return (f"[fernet_tokens] key_repository {fernet.key_repository()} has no usable "
                f"Fernet key ({error}): run `novalite-manage fernet setup` and share the "
                f"repository with every API node")
    return None


def _token_validation_problems() -> list[str | None]:
    """An API that checks tokens: with the key repository (local validation) or as the
    service user (remote validation)."""
    if CONF.keystone_authtoken.validation == "remote":
        return [_secret_problem(AUTHTOKEN_PASSWORD)]
    return [_fernet_problem()]


def _metadata_problems() -> list[str | None]:
    if not CONF.neutron.service_metadata_proxy:
        return []  # the instance is found by source address; nothing is signed
    return [_secret_problem(METADATA_SECRET)]


CHECKS: dict[str, Callable[[], list[str | None]]] = {
    "novalite-identity": lambda: [_fernet_problem()],
    "novalite-api": _token_validation_problems,
    "novalite-image": _token_validation_problems,
    "novalite-network": _token_validation_problems,
    "novalite-volume": lambda: [*_token_validation_problems(), _secret_problem(NOVA_PASSWORD)],
    "novalite-metadata": _metadata_problems,
    "novalite-compute": lambda: [*_metadata_problems(), _secret_problem(NEUTRON_PASSWORD)],
}


def problems(binary: str) -> list[str]:
    """What keeps ``binary`` from starting (empty: nothing)."""
    check = CHECKS.get(binary)
    return [] if check is None else [p for p in check() if p]


def require(binary: str) -> None:
    """Exit with every problem named when ``binary`` lacks a secret it needs."""
    found = problems(binary)
    if found:
        raise SystemExit(f"{binary}: refusing to start:\n" + "\n".join(f"  {p}" for p in found))


def generate() -> dict[str, dict[str, str]]:
    """A fresh value of every generated secret, by configuration group."""
    sections: dict[str, dict[str, str]] = {}
    for secret in GENERATED:
        sections.setdefault(secret.group, {})[secret.name] = secrets.token_urlsafe(
            secret.nbytes)
    for secret in SAME_AS_NEUTRON_PASSWORD:
        sections.setdefault(secret.group, {})[secret.name] = sections["neutron"]["password"]
    return sections


def render(sections: dict[str, dict[str, str]]) -> str:
    lines = ["# novalite's shared secrets: give this file (mode 0600) to every node with",
             "# --config-file; made by `novalite-manage secrets generate`."]
    for group, options in sections.items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {value}" for name, value in options.items())
    return "\n".join(lines) + "\n"


def write(path: str, text: str) -> None:
    """``text`` into a new file only its owner reads (an existing one is not replaced)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
