"""The request context: who is asking, for which project, under which request id.

It is built by the auth middleware from a validated token, travels with every RPC
message (serialized by ``novalite.common.rpc``), and is what policy checks read.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any


def new_request_id() -> str:
    return f"req-{uuid.uuid4()}"


@dataclasses.dataclass
class RequestContext:
    user_id: str | None = None
    project_id: str | None = None
    roles: list[str] = dataclasses.field(default_factory=list)
    auth_token: str | None = None
    request_id: str = dataclasses.field(default_factory=new_request_id)
    global_request_id: str | None = None
    user_name: str | None = None
    project_name: str | None = None
    user_domain_id: str | None = None
    project_domain_id: str | None = None
    domain_id: str | None = None
    system_scope: str | None = None
    is_admin: bool = False
    service_catalog: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # an application credential's access rules: what this token may call (None: anything)
    access_rules: list[dict[str, str]] | None = None

    def __post_init__(self) -> None:
        if "admin" in self.roles:
            self.is_admin = True

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RequestContext:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def elevated(self) -> RequestContext:
        """A copy with admin rights, for internal work done on a user's behalf."""
        roles = self.roles if "admin" in self.roles else [*self.roles, "admin"]
        return dataclasses.replace(self, roles=list(roles), is_admin=True)

    def to_policy_values(self) -> dict[str, Any]:
        """The credentials oslo.policy rules are evaluated against."""
        return {
            "user_id": self.user_id,
            "project_id": self.project_id,
            "domain_id": self.domain_id,
            "roles": list(self.roles),
            "system_scope": self.system_scope,
            "is_admin": self.is_admin,
            "user_domain_id": self.user_domain_id,
            "project_domain_id": self.project_domain_id,
        }

    def redacted(self) -> dict[str, Any]:
        """The context as it may appear in logs: never the token."""
        values = self.to_dict()
        values["auth_token"] = "***" if self.auth_token else None
        values.pop("service_catalog", None)
        return values


def context_from_token_body(token: dict[str, Any], auth_token: str,
                            request_id: str | None = None) -> RequestContext:
    """A context from a Keystone ``{"token": ...}`` body, however it was validated (with
    the shared keys, by the identity API, or as a service user's own token)."""
    user = token.get("user") or {}
    project = token.get("project") or {}
    domain = token.get("domain") or {}
    values: dict[str, Any] = {
        "user_id": user.get("id"),
        "user_name": user.get("name"),
        "user_domain_id": (user.get("domain") or {}).get("id"),
        "project_id": project.get("id"),
        "project_name": project.get("name"),
        "project_domain_id": (project.get("domain") or {}).get("id"),
        "domain_id": domain.get("id"),
        "roles": [role["name"] for role in token.get("roles", [])],
        "auth_token": auth_token,
        "service_catalog": token.get("catalog", []),
        "system_scope": "all" if (token.get("system") or {}).get("all") else None,
        "access_rules": (token.get("application_credential") or {}).get("access_rules"),
    }
    if request_id:
        values["request_id"] = request_id
    return RequestContext(**values)


def get_admin_context() -> RequestContext:
    return RequestContext(roles=["admin"], is_admin=True)
