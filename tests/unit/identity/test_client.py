"""Remote token validation through the identity client, with identity's answers stubbed."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from novalite.common import exception, service_client
from novalite.identity.validation import RemoteValidator
from tests.unit.common.test_service_client import FakeHTTP, answer


def test_remote_validator_validates_caches_and_refuses(conf: Any) -> None:
    conf.set_override("auth_url", "http://keystone:5000", "keystone_authtoken")
    conf.set_override("token_cache_time", 60, "keystone_authtoken")
    http = FakeHTTP()
    try:
        with mock.patch.object(service_client._session, "request", http.request):
            validator = RemoteValidator()
            http.reply(answer(201, {"token": {"roles": [{"name": "admin"}]}},
                              {"X-Subject-Token": "service-token"}),
                       answer(200, {"token": {"user": {"id": "u1"}, "project": {"id": "p1"},
                                              "roles": [{"name": "member"}]}}),
                       answer(404, {"error": {"code": 404, "message": "no such token"}}))
            ctxt = validator.validate("user-token")
            assert (ctxt.user_id, ctxt.project_id, ctxt.roles) == ("u1", "p1", ["member"])
            assert validator.validate("user-token").user_id == "u1"  # cached
            with pytest.raises(exception.NotAuthenticated):
                validator.validate("revoked-token")
        login, check, refused = http.sent
        assert login["url"] == check["url"] == "http://keystone:5000/v3/auth/tokens"
        assert check["headers"]["X-Auth-Token"] == "service-token"
        assert check["headers"]["X-Subject-Token"] == "user-token"
        assert refused["headers"]["X-Subject-Token"] == "revoked-token"
    finally:
        conf.clear_override("auth_url", "keystone_authtoken")
        conf.clear_override("token_cache_time", "keystone_authtoken")
