"""The HTTP client base every companion client is built on: where the service is (catalog,
configuration), who asks (the caller, a service user whose token is renewed once), what
its errors become (Nova's faults), bounded timeouts, and logs without tokens."""

from __future__ import annotations

import io
import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import requests

from novalite.common import exception, service_client
from novalite.common.context import RequestContext
from novalite.common.service_client import ServiceClient, endpoint_from_catalog
from novalite.identity.client import IdentityClient, ServiceAuth
from novalite.image.client import ImageClient
from novalite.network import exceptions as network_exc
from novalite.network.client import NetworkClient

TOKEN = "gAAAAAB-the-users-secret-token"
CATALOG = [
    {"type": "image", "endpoints": [
        {"interface": "internal", "url": "http://internal:9292"},
        {"interface": "public", "url": "http://public:9292/"}]},
    {"type": "network", "endpoints": [{"interface": "public", "url": "http://net:9696"}]},
    {"type": "volumev3", "endpoints": [{"url": "http://vol:8776/v3/p1"}]},
]


class Volume(ServiceClient):
    """What the coming volume client needs to declare."""

    service_type = "volumev3"
    service_name = "volume service"


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None
           ) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = b"" if body is None else json.dumps(body).encode()
    response.raw = io.BytesIO(response._content)
    response.headers.update(headers or {})
    return response


class FakeHTTP:
    """Stands in for the shared session: records each request, answers in turn."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.replies: list[requests.Response | Exception] = []

    def reply(self, *responses: requests.Response | Exception) -> None:
        self.replies.extend(responses)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.sent.append({"method": method, "url": url, **kwargs})
        reply = self.replies.pop(0) if self.replies else answer(200, {})
        if isinstance(reply, Exception):
            raise reply
        return reply


@pytest.fixture
def http() -> Iterator[FakeHTTP]:
    fake = FakeHTTP()
    with mock.patch.object(service_client._session, "request", fake.request):
        yield fake


# --- where -------------------------------------------------------------------------------

def test_catalog_lookup_public_interface_without_slash() -> None:
    assert endpoint_from_catalog(CATALOG, "image") == "http://public:9292"
    assert endpoint_from_catalog(CATALOG, "image", "internal") == "http://internal:9292"
    assert endpoint_from_catalog(CATALOG, "volumev3") == "http://vol:8776/v3/p1"
    assert endpoint_from_catalog(CATALOG, "compute") is None
    assert endpoint_from_catalog([], "image") is None


def test_endpoint_catalog_then_configuration_with_the_version(conf: Any) -> None:
    with_catalog = RequestContext(service_catalog=CATALOG)
    assert ImageClient(with_catalog).endpoint == "http://public:9292/v2"
    assert NetworkClient(with_catalog).endpoint == "http://net:9696/v2.0"
    assert Volume(with_catalog).endpoint == "http://vol:8776/v3/p1"
    # no catalog: this cloud's own services, or what [glance] api_servers says
    assert ImageClient(RequestContext()).endpoint == "http://127.0.0.1:9292/v2"
    conf.set_override("bind_port", 9999, "image")
    assert ImageClient(RequestContext()).endpoint == "http://127.0.0.1:9999/v2"
    conf.set_override("api_servers", ["http://glance:9292/v2/"], "glance")
    assert ImageClient(RequestContext()).endpoint == "http://glance:9292/v2"
    conf.clear_override("api_servers", "glance")
    conf.clear_override("bind_port", "image")
    assert NetworkClient(RequestContext()).endpoint == "http://127.0.0.1:9696/v2.0"
    assert IdentityClient(endpoint="http://keystone:5000").endpoint == "http://keystone:5000/v3"
    with pytest.raises(exception.ServiceUnavailable, match="no endpoint"):
        Volume(RequestContext())


# --- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "body", "fault"), [
    (400, {"badRequest": {"message": "bad name", "code": 400}}, exception.Invalid),
    (401, {"error": {"code": 401, "message": "The request you have made requires "
                     "authentication.", "title": "Unauthorized"}}, exception.NotAuthenticated),
    (403, {"code": "403 Forbidden", "title": "Forbidden", "message": "bad name"},
     exception.Forbidden),
    (404, {"itemNotFound": {"message": "bad name", "code": 404}}, exception.NotFound),
    (409, {"conflictingRequest": {"message": "bad name"}}, exception.Conflict),
    (413, {"message": "bad name"}, exception.ServiceError),
    (500, {"computeFault": {"message": "bad name"}}, exception.ServiceUnavailable),
    (503, None, exception.ServiceUnavailable),
])
def test_errors_become_nova_faults(conf: Any, http: Any, status: int, body: Any,
                                   fault: type[exception.NovaliteException]) -> None:
    http.reply(answer(status, body))
    with pytest.raises(fault) as raised:
        Volume(RequestContext(service_catalog=CATALOG)).get_json("/volumes")
    assert type(raised.value) is fault
    assert raised.value.code == (503 if status >= 500 else status)
    if body is not None:
        assert "bad name" in raised.value.message or status == 401
    else:
        assert raised.value.message == "The volume service is unavailable: The volume " \
            "service answered 503"


def test_unreachable_and_slow_services_are_unavailable(conf: Any, http: Any) -> None:
    client = Volume(RequestContext(service_catalog=CATALOG))
    http.reply(requests.ConnectionError("http://vol:8776 refused"),
               requests.ReadTimeout("read timed out"))
    with pytest.raises(exception.ServiceUnavailable, match="cannot be reached") as refused:
        client.get_json("/volumes")
    assert refused.value.code == 503
    with pytest.raises(exception.ServiceUnavailable, match="did not answer in time"):
        client.get_json("/volumes")


def test_a_service_maps_its_own_typed_errors_first(conf: Any, http: Any) -> None:
    client = NetworkClient(RequestContext(service_catalog=CATALOG))
    http.reply(answer(409, {"NeutronError": {"type": "IpAddressGenerationFailure",
                                             "message": "No more IP addresses", "detail": ""}}),
               answer(404, {"NeutronError": {"type": "Unheard", "message": "gone"}}),
               answer(400, {"NeutronError": {"type": "HTTPBadRequest", "message": "no"}}))
    with pytest.raises(network_exc.IpAddressGenerationFailure, match="No more IP"):
        client.show_port("p1")
    with pytest.raises(network_exc.NotFound, match="gone"):
        client.show_port("p1")
    with pytest.raises(exception.Invalid, match="no"):
        client.show_port("p1")


def test_image_not_found_and_ids_stay_in_their_path_segment(conf: Any, http: Any) -> None:
    http.reply(answer(404, {"code": "404 Not Found", "message": "No image"}))
    with pytest.raises(exception.ImageNotFound):
        ImageClient(RequestContext()).get("../../v3/auth/tokens")
    assert http.sent[-1]["url"] == "http://127.0.0.1:9292/v2/images/..%2F..%2Fv3%2Fauth%2Ftokens"


# --- who, timeouts, logs -----------------------------------------------------------------

def test_the_callers_token_request_id_and_bounded_timeouts(conf: Any, http: Any) -> None:
    ctxt = RequestContext(auth_token=TOKEN, service_catalog=CATALOG, request_id="req-1",
                          global_request_id="req-0")
    Volume(ctxt).get_json("/volumes", params={"all_tenants": 1})
    ImageClient(ctxt).open_data("i1").close()
    (listing, download) = http.sent
    assert listing["headers"]["X-Auth-Token"] == TOKEN
    assert listing["headers"]["X-OpenStack-Request-ID"] == "req-0"
    assert listing["timeout"] == (5.0, 30.0)
    assert download["stream"] is True and download["timeout"] == (5.0, 300)


def test_no_token_in_logs_or_errors(conf: Any, http: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG, logger="novalite")
    client = Volume(RequestContext(auth_token=TOKEN, service_catalog=CATALOG))
    http.reply(answer(200, {}), answer(401, {"error": {"message": "no"}}),
               requests.ConnectionError(f"refused, headers {TOKEN}"))
    client.get_json("/volumes")
    errors = []
    for _ in range(2):
        with pytest.raises(exception.NovaliteException) as raised:
            client.get_json("/volumes")
        errors.append(raised.value.message)
    assert "GET http://vol:8776/v3/p1/volumes -> 200" in caplog.text
    assert TOKEN not in caplog.text and not any(TOKEN in message for message in errors)


class FakeServiceUser:
    def __init__(self) -> None:
        self.tokens = (f"service-{n}" for n in itertools.count(1))
        self.current = next(self.tokens)
        self.invalidated = 0

    def token(self) -> str:
        return self.current

    def context(self) -> RequestContext:
        return RequestContext(auth_token=self.current, service_catalog=CATALOG)

    def invalidate(self) -> None:
        self.invalidated += 1
        self.current = next(self.tokens)


def test_a_service_user_token_is_renewed_once(conf: Any, http: Any) -> None:
    user = FakeServiceUser()
    client = NetworkClient(service_user=user)
    assert client.endpoint == "http://net:9696/v2.0"  # from the service user's catalog
    http.reply(answer(401), answer(200, {"port": {"id": "p1"}}))
    assert client.show_port("p1") == {"id": "p1"}
    assert [s["headers"]["X-Auth-Token"] for s in http.sent] == ["service-1", "service-2"]
    assert user.invalidated == 1
    http.reply(answer(401), answer(401))
    with pytest.raises(exception.NotAuthenticated):
        client.show_port("p1")
    assert len(http.sent) == 4  # renewed once, not again and again


def test_service_auth_authenticates_once_per_group(conf: Any, http: Any) -> None:
    conf.set_override("password", "service-secret", "neutron")
    try:
        user = ServiceAuth.for_group("neutron")
        assert ServiceAuth.for_group("neutron") is user
        http.reply(answer(201, {"token": {"roles": [{"name": "admin"}], "catalog": CATALOG,
                                          "project": {"id": "svc"}}},
                          {"X-Subject-Token": "service-token"}))
        assert user.context().project_id == "svc" and user.token() == "service-token"
        [login] = http.sent
        assert login["url"] == "http://127.0.0.1:5000/v3/auth/tokens"
        assert login["json"]["auth"]["identity"]["password"]["user"]["name"] == "nova"
        user.invalidate()
        http.reply(answer(401, {"error": {"message": "Invalid username or password"}}))
        with pytest.raises(exception.NotAuthenticated, match=r"check \[neutron\]"):
            user.token()
    finally:
        conf.clear_override("password", "neutron")
