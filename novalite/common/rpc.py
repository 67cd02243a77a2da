"""RPC over oslo.messaging: one transport per process, the context on every message.

``transport_url`` picks the bus: ``rabbit://`` in production, ``kombu+memory:////``
when every service runs in one process. Nobody uses this module directly except a
service's ``rpcapi.py`` (the client) and the service runner (the server).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import oslo_messaging as messaging

from novalite.common import memory_bus
from novalite.common.context import RequestContext
from novalite.conf import CONF

memory_bus.install()

_lock = threading.Lock()
_transport: messaging.Transport | None = None

# Exceptions that may travel back to a caller as themselves rather than RemoteError.
ALLOWED_EXMODS = ["novalite.common.exception"]


F = TypeVar("F", bound=Callable[..., Any])


def expected_exceptions(*exceptions: type[BaseException]) -> Callable[[F], F]:
    """oslo.messaging's ``expected_exceptions`` (raised to the caller, not logged as
    errors by the server), keeping the method's type."""
    decorate: Callable[[F], F] = messaging.expected_exceptions(*exceptions)
    return decorate


class ContextSerializer(messaging.Serializer):  # type: ignore[misc]
    """Turns the request context into a dict on the wire and back into a context.

    Entities pass through ``entity_serializer`` (versioned objects once they exist);
    plain JSON values are sent as they are.
    """

    def __init__(self, entity_serializer: messaging.Serializer | None = None) -> None:
        self._entities = entity_serializer or messaging.NoOpSerializer()

    def serialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return self._entities.serialize_entity(ctxt, entity)

    def deserialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return self._entities.deserialize_entity(ctxt, entity)

    def serialize_context(self, ctxt: RequestContext | dict[str, Any]) -> dict[str, Any]:
        return ctxt.to_dict() if isinstance(ctxt, RequestContext) else dict(ctxt)

    def deserialize_context(self, ctxt: dict[str, Any]) -> RequestContext:
        return RequestContext.from_dict(ctxt)


def get_transport() -> messaging.Transport:
    global _transport
    with _lock:
        if _transport is None:
            _transport = messaging.get_rpc_transport(
                CONF, url=CONF.transport_url, allowed_remote_exmods=ALLOWED_EXMODS)
        return _transport


def cleanup() -> None:
    global _transport
    with _lock:
        if _transport is not None:
            _transport.cleanup()
        _transport = None


def get_client(target: messaging.Target, version_cap: str | None = None,
               serializer: messaging.Serializer | None = None) -> messaging.RPCClient:
    return messaging.get_rpc_client(get_transport(), target, version_cap=version_cap,
                                    serializer=ContextSerializer(serializer))


def get_server(target: messaging.Target, endpoints: list[Any],
               serializer: messaging.Serializer | None = None) -> messaging.MessageHandlingServer:
    return messaging.get_rpc_server(get_transport(), target, endpoints,
                                    serializer=ContextSerializer(serializer))
