"""The token format: round trip, tampering, rotation (no database: decode only)."""

from __future__ import annotations

import datetime
import uuid

import pytest

from novalite.common import exception
from novalite.conf import CONF
from novalite.identity import fernet, tokens


@pytest.fixture(autouse=True)
def keys(tmp_path):
    CONF.set_override("key_repository", str(tmp_path / "keys"), "fernet_tokens")
    fernet.setup_keys()
    yield
    CONF.clear_override("key_repository", "fernet_tokens")


def _payload(**overrides) -> tokens.TokenPayload:
    now = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901)
    values = dict(user_id=uuid.uuid4().hex, methods=["password", "token"],
                  expires_at=now + datetime.timedelta(hours=1), issued_at=now,
                  audit_ids=[tokens.new_audit_id(), tokens.new_audit_id()],
                  project_id=uuid.uuid4().hex)
    values.update(overrides)
    return tokens.TokenPayload(**values)


@pytest.mark.parametrize("scope", [
    {"project_id": uuid.uuid4().hex}, {"project_id": None, "domain_id": "default"},
    {"project_id": None, "system": True}, {"project_id": None}])
def test_payload_round_trip(scope) -> None:
    payload = _payload(**scope)
    token_id = tokens.encode(payload)
    assert "=" not in token_id and len(token_id) < 255
    decoded = tokens.decode(token_id)
    assert decoded == payload


def test_non_uuid_ids_survive() -> None:
    payload = _payload(user_id="admin-user", project_id="Not-Hex-" + "x" * 24)
    assert tokens.decode(tokens.encode(payload)) == payload


def test_tampered_or_foreign_tokens_are_rejected() -> None:
    token_id = tokens.encode(_payload())
    for bad in (token_id[:-1] + ("A" if token_id[-1] != "A" else "B"), token_id[:40], "",
                "x" * 2000, "not base64 !!", token_id[5:]):
        with pytest.raises(exception.NotAuthenticated):
            tokens.decode(bad)


def test_token_of_old_primary_validates_after_one_rotation() -> None:
    token_id = tokens.encode(_payload())
    fernet.rotate_keys()
    assert tokens.decode(token_id).user_id
    fernet.rotate_keys()
    fernet.rotate_keys()
    with pytest.raises(exception.NotAuthenticated):
        tokens.decode(token_id)


def test_isotime_has_microseconds_and_z() -> None:
    assert tokens.isotime(datetime.datetime(2015, 11, 7, 2, 58, 43, 578887)) == \
        "2015-11-07T02:58:43.578887Z"
    assert tokens.isotime(datetime.datetime(2015, 11, 7)) == "2015-11-07T00:00:00.000000Z"
