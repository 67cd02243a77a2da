"""Objects, not dicts, cross the RPC doors: every method of the compute, conductor and
scheduler clients takes and returns versioned objects for instances, request specs,
selections, flavors, migrations, faults, events and compute nodes. A ``dict`` in a
signature is allowed only where it is not such an entity (listed below, with why)."""

from __future__ import annotations

import inspect
import typing

import pytest

from novalite.compute.rpcapi import ComputeAPI
from novalite.conductor.rpcapi import ConductorAPI
from novalite.objects import NovaliteObject
from novalite.scheduler.rpcapi import SchedulerAPI

# (class, method, parameter or "return") -> why a dict is right there
ALLOWED_DICTS = {
    ("ComputeAPI", "get_diagnostics", "return"): "the diagnostics document of the API",
    ("ComputeAPI", "attach_interface", "return"): "a VIF of network_info (JSON)",
    ("SchedulerAPI", "claim_resources", "resources"): "resource class -> amount",
}
ENTITY_PARAMETERS = {"instance", "request_spec", "alternates", "selection", "flavor", "bdm",
                     "migration", "fault", "event"}


def _methods():
    for cls in (ComputeAPI, ConductorAPI, SchedulerAPI):
        for name, method in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_") and method.__qualname__.startswith(cls.__name__):
                yield cls, name, method


def _mentions_dict(hint) -> bool:
    if hint is dict or typing.get_origin(hint) is dict:
        return True
    return any(_mentions_dict(arg) for arg in typing.get_args(hint))


def _is_object(hint) -> bool:
    if isinstance(hint, type) and issubclass(hint, NovaliteObject):
        return True
    return bool(typing.get_args(hint)) and all(
        _is_object(arg) or arg is type(None) for arg in typing.get_args(hint))


@pytest.mark.parametrize(("cls", "name", "method"), list(_methods()),
                         ids=lambda v: getattr(v, "__name__", str(v)))
def test_no_plain_dict_crosses_the_door(cls, name, method):
    hints = typing.get_type_hints(method)
    for parameter, hint in hints.items():
        key = (cls.__name__, name, parameter)
        if _mentions_dict(hint):
            assert key in ALLOWED_DICTS, f"{cls.__name__}.{name}: {parameter} is {hint}"
        if parameter in ENTITY_PARAMETERS:
            assert _is_object(hint), f"{cls.__name__}.{name}: {parameter} is {hint}"


def test_the_checked_doors_are_the_newest_versions():
    assert (ComputeAPI.RPC_API_VERSION, ConductorAPI.RPC_API_VERSION,
            SchedulerAPI.RPC_API_VERSION) == ("2.4", "2.2", "2.0")
    assert len(list(_methods())) >= 57


def test_console_tokens_cross_as_objects():
    """The console doors: the token object, a hash or a uuid, never a dict."""
    from novalite.objects import ConsoleAuthToken

    hints = typing.get_type_hints(ComputeAPI.get_console)
    assert hints["return"] is ConsoleAuthToken
    hints = typing.get_type_hints(ConductorAPI.console_auth_token_validate)
    assert hints["return"] is ConsoleAuthToken and hints["token_hash"] is str
