"""The one UUID check, with Nova's semantics (``oslo_utils.uuidutils.is_uuid_like``).

Nova's and Neutron's APIs accept any form ``uuid.UUID`` reads: hyphenated or not, any
case, in braces, with a ``urn:uuid:`` prefix. An API that wants the canonical form only
(Glance's schema ``pattern``) checks that pattern itself.
"""

from __future__ import annotations

import uuid
from typing import Any


def _normalized(value: str) -> str:
    return (value.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "")
            .lower())


def is_uuid(value: Any) -> bool:
    """Whether ``value`` is a string that reads as a UUID, in any of its forms."""
    if not isinstance(value, str):
        return False
    try:
        return uuid.UUID(value).hex == _normalized(value)
    except ValueError:
        return False
