"""A service whose Fernet keys are not shared validates tokens through the identity API,
as keystonemiddleware does: with its own service user, and revocation still applies."""

from __future__ import annotations

import requests

from novalite.common import exception, wsgi
from novalite.conf import CONF
from novalite.identity.validation import RemoteValidator
from novalite.image.api import make_app as make_image_app
from tests.functional.conftest import ADMIN_PASSWORD


def admin_token(identity_url: str) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"name": "Default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
    response = requests.post(f"{identity_url}/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201
    return response.headers["X-Subject-Token"]


def test_remote_validation_accepts_valid_and_refuses_revoked_tokens(identity, conf):
    conf.set_override("auth_url", identity, "keystone_authtoken")
    conf.set_override("username", "admin", "keystone_authtoken")
    conf.set_override("password", ADMIN_PASSWORD, "keystone_authtoken")
    conf.set_override("project_name", "admin", "keystone_authtoken")
    conf.set_override("token_cache_time", 0, "keystone_authtoken")
    validator = RemoteValidator()
    image = wsgi.Server("image", make_image_app(validator), "127.0.0.1", 0, threads=2)
    image.start()
    try:
        token = admin_token(identity)
        ctxt = validator.validate(token)
        assert ctxt.project_name == "admin" and "admin" in ctxt.roles
        headers = {"X-Auth-Token": token}
        assert requests.get(f"{image.url}/v2/images", headers=headers,
                            timeout=10).status_code == 200
        service_headers = {"X-Auth-Token": admin_token(identity), "X-Subject-Token": token}
        assert requests.delete(f"{identity}/v3/auth/tokens", headers=service_headers,
                               timeout=10).status_code == 204
        response = requests.get(f"{image.url}/v2/images", headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == f'Keystone uri="{identity}"'
        try:
            validator.validate("not-a-token")
        except exception.NotAuthenticated:
            pass
        else:
            raise AssertionError("a garbage token validated")
    finally:
        image.stop()
        for option in ("auth_url", "username", "password", "project_name", "token_cache_time"):
            CONF.clear_override(option, "keystone_authtoken")
