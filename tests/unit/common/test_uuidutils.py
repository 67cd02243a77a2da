"""The one UUID check: Nova's ``is_uuid_like`` (any form ``uuid.UUID`` reads)."""

from __future__ import annotations

import uuid

import pytest

from novalite.common.uuidutils import is_uuid

CANONICAL = "3cb9bc59-5699-4588-a4b1-b87f96708bc6"


@pytest.mark.parametrize("value", [
    CANONICAL, CANONICAL.upper(), CANONICAL.replace("-", ""), "{" + CANONICAL + "}",
    "urn:uuid:" + CANONICAL, str(uuid.uuid4())])
def test_the_forms_nova_accepts(value: str) -> None:
    assert is_uuid(value)


@pytest.mark.parametrize("value", [
    None, 42, uuid.UUID(CANONICAL), "", "abc", CANONICAL[:-1], CANONICAL + "0",
    CANONICAL + " ", " " + CANONICAL, CANONICAL.replace("3", "g", 1), "../" + CANONICAL])
def test_what_is_not_one(value: object) -> None:
    assert not is_uuid(value)
