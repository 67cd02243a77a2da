"""The dashboard's HTTP clients: Keystone to sign in, rescope and revoke, and one
client per API found in the user's token catalog, each acting with the user's token."""

from __future__ import annotations

from typing import Any, ClassVar

from novalite.common import exception
from novalite.common.context import RequestContext, context_from_token_body
from novalite.common.service_client import ServiceClient
from novalite.conf import CONF

#: the compute microversion every page speaks (remote-consoles, tags, instance-action
#: events with details need at least 2.6, 2.26 and 2.84 ... 2.79 is enough here)
COMPUTE_MICROVERSION = "2.79"


class Keystone(ServiceClient):
    service_type = "identity"
    service_name = "identity service"
    version = "/v3"

    def fallback_endpoint(self) -> str | None:
        return CONF.dashboard.auth_url or (
            f"http://{CONF.public_host}:{CONF.identity.listen_port}/v3")

    def password(self, domain: str, user: str, password: str) -> tuple[str, dict[str, Any]]:
        """(token, body) of a password sign-in: scoped to the user's default project when
        it has one (Keystone's choice), else unscoped."""
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"name": domain}, "password": password}}}}}
        with self.request("POST", "/auth/tokens", json=body) as response:
            return response.headers["X-Subject-Token"], response.json()["token"]

    def rescope(self, token: str, project_id: str) -> tuple[str, dict[str, Any]]:
        body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token}},
                         "scope": {"project": {"id": project_id}}}}
        with self.request("POST", "/auth/tokens", json=body) as response:
            return response.headers["X-Subject-Token"], response.json()["token"]

    def projects(self) -> list[dict[str, Any]]:
        """The projects the caller's token may be scoped to."""
        return list(self.get_json("/auth/projects").get("projects", []))

    def revoke(self, token: str) -> None:
        self.request("DELETE", "/auth/tokens", headers={"X-Subject-Token": token}).close()


def keystone(token: str | None = None) -> Keystone:
    return Keystone(RequestContext(auth_token=token))


def user_context(token: str, body: dict[str, Any]) -> RequestContext:
    return context_from_token_body(body, token)


class Compute(ServiceClient):
    service_type = "compute"
    service_name = "compute service"
    version = ""

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "OpenStack-API-Version": f"compute {COMPUTE_MICROVERSION}",
                "X-OpenStack-Nova-API-Version": COMPUTE_MICROVERSION}

    def action(self, server_id: str, body: dict[str, Any]) -> Any:
        return self.post_json(f"/servers/{server_id}/action", body)


class Image(ServiceClient):
    service_type = "image"
    service_name = "image service"
    version = "/v2"


class Network(ServiceClient):
    service_type = "network"
    service_name = "network service"
    version = "/v2.0"


class Volume(ServiceClient):
    service_type = "volumev3"
    service_name = "volume service"
    version = ""

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "OpenStack-API-Version": "volume 3.27"}


class Clients:
    """The APIs as one signed-in user (made per request from the session's context)."""

    kinds: ClassVar[dict[str, type[ServiceClient]]] = {
        "compute": Compute, "image": Image, "network": Network, "volume": Volume}

    def __init__(self, ctxt: RequestContext) -> None:
        self.ctxt = ctxt
        self._made: dict[str, ServiceClient] = {}

    def _get(self, kind: str) -> Any:
        if kind not in self._made:
            self._made[kind] = self.kinds[kind](self.ctxt)
        return self._made[kind]

    @property
    def compute(self) -> Compute:
        client: Compute = self._get("compute")
        return client

    @property
    def image(self) -> Image:
        client: Image = self._get("image")
        return client

    @property
    def network(self) -> Network:
        client: Network = self._get("network")
        return client

    @property
    def volume(self) -> Volume:
        client: Volume = self._get("volume")
        return client


def message(error: exception.NovaliteException) -> str:
    """What a page shows for an API's error: the API's own message."""
    return error.message
