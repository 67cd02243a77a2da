"""Policy checks (oslo.policy) with Nova-like defaults: admin, project member, project reader.

Every API registers its rules (``novalite/policies/<service>.py``) with one shared
enforcer; ``policy.yaml`` in the config directory overrides them. Roles arrive
already expanded (admin implies manager implies member implies reader), as in a Keystone
token.
"""

from __future__ import annotations

import threading
from typing import Any

from oslo_policy import policy

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.conf import CONF

# Check strings every service's defaults are written with.
ADMIN = "role:admin"
PROJECT_MEMBER = "role:member and project_id:%(project_id)s"
PROJECT_READER = "role:reader and project_id:%(project_id)s"
ADMIN_OR_PROJECT_MEMBER = f"({ADMIN}) or ({PROJECT_MEMBER})"
ADMIN_OR_PROJECT_READER = f"({ADMIN}) or ({PROJECT_READER})"
ADMIN_OR_OWNER = "role:admin or user_id:%(user_id)s"
ANY_AUTHENTICATED = "@"

_lock = threading.Lock()
_enforcer: policy.Enforcer | None = None
_rules: list[policy.RuleDefault] = []


def rule(name: str, check: str, description: str) -> policy.RuleDefault:
    """A default rule, as every ``novalite/policies`` module declares them."""
    return policy.RuleDefault(name, check, description=description)


def register_rules(rules: list[policy.RuleDefault]) -> None:
    """Add a service's default rules (safe to call more than once)."""
    with _lock:
        known = {rule.name for rule in _rules}
        new = [rule for rule in rules if rule.name not in known]
        _rules.extend(new)
        if _enforcer is not None and new:
            _enforcer.register_defaults(new)


def get_enforcer() -> policy.Enforcer:
    global _enforcer
    with _lock:
        if _enforcer is None:
            _enforcer = policy.Enforcer(CONF, use_conf=True)
            _enforcer.register_defaults(_rules)
        return _enforcer


def reset() -> None:
    global _enforcer
    with _lock:
        _enforcer = None


def authorize(ctxt: RequestContext, action: str, target: dict[str, Any] | None = None) -> None:
    """Raise ``PolicyNotAuthorized`` unless ``ctxt`` may do ``action`` on ``target``.

    The default target is the caller's own project and user, which is what a
    create or a list is checked against.
    """
    target = target if target is not None else {
        "project_id": ctxt.project_id, "user_id": ctxt.user_id}
    try:
        get_enforcer().authorize(action, target, ctxt.to_policy_values(), do_raise=True,
                                 exc=exception.PolicyNotAuthorized, action=action)
    except policy.PolicyNotRegistered:
        raise exception.PolicyNotAuthorized(action=action) from None


def check(ctxt: RequestContext, action: str, target: dict[str, Any] | None = None) -> bool:
    try:
        authorize(ctxt, action, target)
    except exception.PolicyNotAuthorized:
        return False
    return True
