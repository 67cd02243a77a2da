"""The one base of every HTTP client of another OpenStack service (identity, image,
network; volume next): where the service is, who is asking, what its errors mean.

* **Where**: an endpoint given outright (identity's ``auth_url``), else the public
  endpoint of the client's ``service_type`` in the caller's token catalog, else what
  the subclass's ``fallback_endpoint`` reads from the configuration (this cloud's own
  address, ``[glance] api_servers`` ...). ``version`` (``/v2.0``, ``/v3``) is added
  unless the endpoint already ends with it, since catalogs register services either
  way.
* **Who**: the caller's token (a ``RequestContext``), or a service user
  (``service_user``: a ``TokenSource`` such as ``novalite.identity.client.ServiceAuth``)
  whose token is fetched again, once, when the service answers 401.
* **Errors**: a connection failure, a timeout or a 5xx is ``ServiceUnavailable``
  (503); 400, 401, 403, 404 and 409 are Nova's ``Invalid``, ``NotAuthenticated``,
  ``Forbidden``, ``NotFound`` and ``Conflict`` with the service's own message;
  subclasses map their service's typed errors first (``map_error``).
* **Bounds**: every request has a connect and a read timeout.
* **Logs**: method, URL, status, duration and request id at DEBUG; never a header,
  a body or a token.

A new client is a subclass naming ``service_type``, ``service_name`` and ``version``
and, if the service has typed errors, overriding ``map_error``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

import requests

from novalite.common import exception
from novalite.common.context import RequestContext

LOG = logging.getLogger(__name__)

# One connection pool per process, shared by every client (requests keeps one pool
# per host inside it).
_session = requests.Session()

# Nova's faults for the statuses a caller can act on; the rest are the service's fault.
_BY_STATUS: dict[int, type[exception.NovaliteException]] = {
    400: exception.Invalid, 401: exception.NotAuthenticated, 403: exception.Forbidden,
    404: exception.NotFound, 409: exception.Conflict}


class TokenSource(Protocol):
    """A service user: its current token and a context acting as it (roles, catalog)."""

    def token(self) -> str: ...

    def context(self) -> RequestContext: ...

    def invalidate(self) -> None:
        """Forget the token: the next ``token()`` authenticates again."""
        ...


def endpoint_from_catalog(catalog: list[dict[str, Any]] | None, service_type: str,
                          interface: str = "public") -> str | None:
    """The URL of ``service_type``'s ``interface`` endpoint in a Keystone v3 catalog (an
    endpoint without an interface counts as public), without a trailing slash."""
    for service in catalog or ():
        if service.get("type") != service_type:
            continue
        for endpoint in service.get("endpoints") or ():
            if endpoint.get("interface", "public") == interface and endpoint.get("url"):
                return str(endpoint["url"]).rstrip("/")
    return None


def fault_message(response: requests.Response) -> str | None:
    """The message of an OpenStack fault body, whichever service's shape it has:
    ``{"message"}`` (Glance), or one key holding ``{"message"}`` (Nova and Cinder
    ``{"itemNotFound": ...}``, Keystone ``{"error": ...}``, Neutron ``{"NeutronError":
    ...}``)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    message = body.get("message")
    if isinstance(message, str):
        return message
    if len(body) == 1:
        (inner,) = body.values()
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return None


class ServiceClient:
    """An HTTP client of one OpenStack service, acting as the caller or a service user."""

    #: the catalog type (``image``, ``network``, ``identity``, ``volumev3``)
    service_type: ClassVar[str] = ""
    #: how messages name the service
    service_name: ClassVar[str] = "service"
    #: the API version path the endpoint must end with ("" for none)
    version: ClassVar[str] = ""
    #: seconds to connect, and to wait for an answer (or the next chunk of one)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    def __init__(self, ctxt: RequestContext | None = None, *, endpoint: str | None = None,
                 service_user: TokenSource | None = None,
                 timeout: float | None = None) -> None:
        self.service_user = service_user
        if ctxt is None and service_user is not None and endpoint is None:
            ctxt = service_user.context()  # its catalog says where the service is
        self.ctxt = ctxt or RequestContext()
        if timeout is not None:
            self.read_timeout = timeout
        base = (endpoint or endpoint_from_catalog(self.ctxt.service_catalog, self.service_type)
                or self.fallback_endpoint())
        if not base:
            raise exception.ServiceUnavailable(
                service=self.service_name,
                reason=f"no endpoint: the catalog has none of type '{self.service_type}' "
                       "and none is configured")
        base = base.rstrip("/")
        if self.version and not base.endswith(self.version):
            base += self.version
        self.endpoint = base

    # --- hooks for subclasses ---------------------------------------------------------

    def fallback_endpoint(self) -> str | None:
        """Where the service is when the catalog does not say (from the configuration)."""
        return None

    def map_error(self, response: requests.Response, message: str
                  ) -> exception.NovaliteException | None:
        """The service's own error for a 4xx answer, or None for the generic mapping."""
        return None

    # --- requests ---------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json",
                   "X-OpenStack-Request-ID": self.ctxt.global_request_id
                   or self.ctxt.request_id}
        token = self.service_user.token() if self.service_user else self.ctxt.auth_token
        if token:
            headers["X-Auth-Token"] = token
        return headers

    def request(self, method: str, path: str, *, json: Any = None, params: Any = None,
                headers: Mapping[str, str] | None = None, stream: bool = False,
                timeout: float | None = None, data: Any = None) -> requests.Response:
        """The answer to ``method endpoint+path`` when it is a success (2xx or 3xx), else
        the mapped error. A service user's rejected token is renewed and the request
        sent again, once (``data``, a body that may be a file, is then sent again from
        where it was: callers sending a file as a service user pass it re-readable)."""
        response = self._send(method, path, json, params, headers, stream, timeout, data)
        if response.status_code == 401 and self.service_user is not None:
            response.close()
            self.service_user.invalidate()
            response = self._send(method, path, json, params, headers, stream, timeout, data)
        if response.status_code >= 400:
            error = self.error(response)
            response.close()
            raise error
        return response

    def get_json(self, path: str, params: Any = None) -> Any:
        return self._json(self.request("GET", path, params=params))

    def post_json(self, path: str, body: Any) -> Any:
        return self._json(self.request("POST", path, json=body))

    def put_json(self, path: str, body: Any) -> Any:
        return self._json(self.request("PUT", path, json=body))

    def delete(self, path: str) -> None:
        self.request("DELETE", path).close()

    def available(self) -> bool:
        """Whether the service answers at its endpoint at all (any HTTP status)."""
        try:
            _session.get(self.endpoint, timeout=(self.connect_timeout, 2.0)).close()
        except requests.RequestException:
            return False
        return True

    def _send(self, method: str, path: str, json: Any, params: Any,
              headers: Mapping[str, str] | None, stream: bool, timeout: float | None,
              data: Any = None) -> requests.Response:
        url = f"{self.endpoint}{path}"
        sent = {**self.headers(), **(headers or {})}
        started = time.monotonic()
        try:
            response = _session.request(
                method, url, json=json, params=params, headers=sent, stream=stream,
                data=data, timeout=(self.connect_timeout, timeout or self.read_timeout))
        except requests.RequestException as error:
            LOG.debug("%s %s failed: %s", method, url, type(error).__name__)
            raise exception.ServiceUnavailable(
                service=self.service_name, reason=_reason(error)) from None
        LOG.debug("%s %s -> %s in %.0f ms (%s)", method, url, response.status_code,
                  (time.monotonic() - started) * 1000, sent["X-OpenStack-Request-ID"])
        return response

    def error(self, response: requests.Response) -> exception.NovaliteException:
        """The Nova fault for an error answer (see the module's docstring)."""
        message = (fault_message(response)
                   or f"The {self.service_name} answered {response.status_code}")
        if response.status_code >= 500:
            return exception.ServiceUnavailable(service=self.service_name, reason=message)
        mapped = self.map_error(response, message)
        if mapped is not None:
            return mapped
        cls = _BY_STATUS.get(response.status_code, exception.ServiceError)
        error = cls(message=message)
        if cls is exception.ServiceError:
            error.code = response.status_code
        return error

    @staticmethod
    def _json(response: requests.Response) -> Any:
        with response:
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise exception.ServiceError(message="The service answered with a body "
                                             "that is not JSON") from None


def _reason(error: requests.RequestException) -> str:
    """Why a request failed, without the URL's query or anything the caller sent."""
    if isinstance(error, requests.Timeout):
        return "it did not answer in time"
    if isinstance(error, requests.ConnectionError):
        return "it cannot be reached"
    return type(error).__name__
