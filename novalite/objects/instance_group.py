"""InstanceGroup: a server group (``os-server-groups``) as the scheduler sees it.

The scheduler's affinity filters and weighers read the group's policy, its rules and
where its members run: ``member_hosts`` maps each member that has a host to it (Nova
reads ``InstanceGroup.hosts`` and ``HostState.instances`` for the same facts).

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from novalite.objects.base import NovaliteObject

POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")


class InstanceGroup(NovaliteObject):
    VERSION = "1.0"

    id: int | None = None
    uuid: str = ""
    name: str | None = None
    project_id: str | None = None
    user_id: str | None = None
    #: one of POLICIES
    policy: str = ""
    #: ``{"max_server_per_host": n}`` (anti-affinity only, microversion 2.64)
    rules: dict[str, int] = field(default_factory=dict)
    #: the instances of the group that are not deleted
    members: list[str] = field(default_factory=list)
    #: member uuid -> the compute host it runs on (members without a host are absent)
    member_hosts: dict[str, str] = field(default_factory=dict)

    @property
    def hosts(self) -> list[str]:
        """The hosts the members run on, each once (Nova's ``InstanceGroup.hosts``)."""
        return sorted(set(self.member_hosts.values()))

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> InstanceGroup:
        """From a record of ``novalite.db.server_groups``."""
        return cls(id=values.get("id"), uuid=str(values.get("uuid") or ""),
                   name=values.get("name"), project_id=values.get("project_id"),
                   user_id=values.get("user_id"), policy=str(values.get("policy") or ""),
                   rules={str(k): int(v) for k, v in (values.get("rules") or {}).items()},
                   members=list(values.get("members") or []),
                   member_hosts=dict(values.get("member_hosts") or {}))
