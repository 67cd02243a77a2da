"""The host aggregate filters: AggregateInstanceExtraSpecsFilter (a flavor's extra specs
must match its host's aggregates' metadata) and AggregateMultiTenancyIsolation (a host
in an aggregate with ``filter_tenant_id`` takes only those projects' instances).

Neither is enabled by default, as in Nova.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Mapping
from typing import Any

from novalite.scheduler.filters import BaseHostFilter
from novalite.scheduler.host_state import HostState

LOG = logging.getLogger(__name__)

_SCOPE = "aggregate_instance_extra_specs"
_TENANT_KEY = "filter_tenant_id"


def _number(compare: Callable[[float, float], bool]) -> Callable[[str, Any], bool]:
    return lambda value, wanted: compare(float(value), float(wanted))


# Nova's extra_specs_ops: the operator an extra spec's value may start with.
_OPERATORS: dict[str, Callable[[str, Any], bool]] = {
    "=": _number(operator.ge), "==": _number(operator.eq), "!=": _number(operator.ne),
    ">=": _number(operator.ge), "<=": _number(operator.le),
    "<in>": lambda value, wanted: wanted in value,
    "<all-in>": lambda value, wanted: all(item in value for item in wanted),
    "s==": operator.eq, "s!=": operator.ne, "s<": operator.lt, "s<=": operator.le,
    "s>": operator.gt, "s>=": operator.ge,
}


def match(value: str | None, requirement: str) -> bool:
    """Whether ``value`` meets ``requirement`` (``"<or> a <or> b"``, ``">= 2"``, ``"s== x"``
    ... or a plain string, which must be equal), as Nova's ``extra_specs_ops.match``."""
    words = requirement.split()
    op = words.pop(0) if words else None
    method = _OPERATORS.get(op) if op is not None else None
    if op != "<or>" and method is None:
        return value == requirement
    if value is None:
        return False
    if op == "<or>":
        while words:
            if words.pop(0) == value:
                return True
            if not words:
                break
            words.pop(0)  # the next <or>
        return False
    if not words or method is None:
        return False
    try:
        return method(value, words if op == "<all-in>" else words[0])
    except ValueError:
        return False


class AggregateInstanceExtraSpecsFilter(BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state: HostState, request_spec: Mapping[str, Any]) -> bool:
        extra_specs: Mapping[str, str] = (request_spec.get("flavor") or {}).get(
            "extra_specs") or {}
        if not extra_specs:
            return True
        metadata = host_state.aggregate_metadata()
        for key, requirement in extra_specs.items():
            scope = key.split(":", 1)
            if len(scope) > 1:
                if scope[0] != _SCOPE:
                    continue
                del scope[0]
            values = metadata.get(scope[0])
            if not values:
                LOG.debug("%s fails: no aggregate metadata %s for the flavor's extra spec",
                          host_state.host, scope[0])
                return False
            if not any(match(value, str(requirement)) for value in values):
                LOG.debug("%s fails: aggregate metadata %s=%s does not match %s",
                          host_state.host, scope[0], sorted(values), requirement)
                return False
        return True


class AggregateMultiTenancyIsolation(BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state: HostState, request_spec: Mapping[str, Any]) -> bool:
        allowed: set[str] = set()
        for key, values in host_state.aggregate_metadata().items():
            if key.startswith(_TENANT_KEY):
                allowed |= values
        if not allowed:
            return True
        project_id = request_spec.get("project_id")
        if project_id not in allowed:
            LOG.debug("%s fails tenant id on aggregate", host_state.host)
            return False
        return True
