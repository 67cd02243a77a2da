"""The metadata API's WSGI application (``nova/api/metadata/handler.py``).

Instances have no token, so the application is not behind the auth middleware; it
identifies the requesting instance exactly as Nova does:

* ``[neutron] service_metadata_proxy = True`` (novalite's default: its proxy always
  signs): the request carries ``X-Instance-ID``, ``X-Tenant-ID`` and
  ``X-Instance-ID-Signature`` = HMAC-SHA256(``metadata_proxy_shared_secret``, instance
  id). A missing or repeated header is a 400, a wrong signature a 403, an instance of
  another project (or none) a 404.
* ``service_metadata_proxy = False``: the instance is the one whose network info holds
  the request's source IP as a fixed IP.

The instance (and its key pair) is read from the database and its ``InstanceMetadata``
kept for ``[api] metadata_cache_expiration`` seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import webob
import webob.exc

from novalite.common import exception, metadata_tree, wsgi
from novalite.common.cache import TTLCache
from novalite.conf import CONF

LOG = logging.getLogger(__name__)

WSGIApp = Callable[..., Iterable[bytes]]
InstanceGetter = Callable[[str], "dict[str, Any] | None"]
KeypairGetter = Callable[[str, str], "dict[str, Any] | None"]

UNKNOWN_ERROR = "An unknown error has occurred. Please try your request again."
BAD_SIGNATURE = "Invalid proxy request signature."


class HTTPError(Exception):
    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sign_instance_id(secret: str, instance_id: str) -> str:
    """What the metadata proxy puts in ``X-Instance-ID-Signature``."""
    return hmac.new(secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()


# --- database lookups (the defaults; tests and benchmarks may inject others) -------------

def db_get_instance(instance_uuid: str) -> dict[str, Any] | None:
    from novalite.db import instances

    try:
        return instances.get(None, instance_uuid)
    except exception.InstanceNotFound:
        return None


def db_find_instance_by_address(address: str) -> dict[str, Any] | None:
    """The live instance with ``address`` as a fixed IP in its network info. A scan of
    the instance records: the source-IP mode is the operator's fallback, and its
    answers are cached."""
    from novalite.db import instances

    for instance in instances.list_instances(None, filters={"deleted": False}):
        meta = metadata_tree.InstanceMetadata(instance, static_vendordata={})
        if any(ip.get("address") == address for ip in metadata_tree.fixed_ips(meta.network_info)):
            return instance
    return None


def db_get_keypair(user_id: str, name: str) -> dict[str, Any] | None:
    from novalite.db import keypairs

    try:
        return keypairs.get(user_id, name)
    except exception.KeypairNotFound:
        return None


def db_store_password(instance_uuid: str, password: bytes) -> None:
    from novalite.db import instances

    instance = instances.get(None, instance_uuid)
    system_metadata = dict(instance.get("system_metadata") or {})
    system_metadata.update(metadata_tree.convert_password(password))
    instances.update(None, instance_uuid, {"system_metadata": system_metadata})


# --- the cache ----------------------------------------------------------------------------

class _Cache:
    """A TTL cache of ``InstanceMetadata`` by instance id or source address, bounded."""

    MAXSIZE = 10000

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: TTLCache[tuple[str, str], metadata_tree.InstanceMetadata] = TTLCache(
            ttl, self.MAXSIZE, clock)

    def get(self, key: tuple[str, str]) -> metadata_tree.InstanceMetadata | None:
        return self._items.get(key)

    def put(self, key: tuple[str, str], value: metadata_tree.InstanceMetadata) -> None:
        self._items.put(key, value)

    def forget(self, instance_uuid: str) -> None:
        self._items.discard_if(lambda _key, meta: meta.uuid == instance_uuid)


# --- the application ----------------------------------------------------------------------

def _text_response(body: bytes | str, content_type: str = metadata_tree.MIME_TYPE_TEXT_PLAIN,
                   status: int = 200) -> webob.Response:
    response = webob.Response(status=status, content_type=content_type, charset="UTF-8")
    response.body = body if isinstance(body, bytes) else body.encode()
    return response


def _error_response(code: int, message: str) -> webob.Response:
    title = webob.exc.status_map[code].title
    explanation = message or webob.exc.status_map[code].explanation
    return _text_response(f"{code} {title}\n\n{explanation}\n", status=code)


class MetadataRequestHandler:
    """The metadata WSGI application. Every lookup function is injectable."""

    def __init__(self, get_instance: InstanceGetter | None = None,
                 find_instance_by_address: InstanceGetter | None = None,
                 get_keypair: KeypairGetter | None = None,
                 store_password: Callable[[str, bytes], None] | None = None,
                 cache_expiration: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.get_instance = get_instance or db_get_instance
        self.find_instance_by_address = find_instance_by_address or db_find_instance_by_address
        self.get_keypair = get_keypair or db_get_keypair
        self.store_password = store_password or db_store_password
        ttl = CONF.api.metadata_cache_expiration if cache_expiration is None \
            else cache_expiration
        self._cache = _Cache(ttl, clock)

    # --- building InstanceMetadata --------------------------------------------------------

    def _metadata_for(self, instance: dict[str, Any] | None,
                      address: str | None) -> metadata_tree.InstanceMetadata | None:
        if instance is None:
            return None
        keypair = None
        if instance.get("key_name"):
            keypair = self.get_keypair(instance["user_id"], instance["key_name"])
        return metadata_tree.InstanceMetadata(instance, keypair=keypair, address=address)

    def get_metadata_by_instance_id(self, instance_id: str,
                                    address: str | None) -> metadata_tree.InstanceMetadata | None:
        key = ("id", instance_id)
        meta = self._cache.get(key)
        if meta is None:
            meta = self._metadata_for(self.get_instance(instance_id), address)
            if meta is not None:
                self._cache.put(key, meta)
        return meta

    def get_metadata_by_remote_address(self, address: str) -> metadata_tree.InstanceMetadata | None:
        key = ("ip", address)
        meta = self._cache.get(key)
        if meta is None:
            meta = self._metadata_for(self.find_instance_by_address(address), address)
            if meta is not None:
                self._cache.put(key, meta)
        return meta

    # --- identifying the instance ---------------------------------------------------------

    def _by_source_address(self, request: webob.Request) -> metadata_tree.InstanceMetadata | None:
        address = request.remote_addr or ""
        if request.headers.get("X-Instance-ID"):
            LOG.warning("X-Instance-ID present in request headers. The "
                        "'service_metadata_proxy' option must be enabled to process "
                        "this header.")
        try:
            meta = self.get_metadata_by_remote_address(address)
        except Exception:
            LOG.exception("Failed to get metadata for IP %s", address)
            raise HTTPError(500, UNKNOWN_ERROR) from None
        if meta is None:
            LOG.error("Failed to get metadata for IP %s: no metadata", address)
        return meta

    def _by_signed_instance_id(self, request: webob.Request
                               ) -> metadata_tree.InstanceMetadata | None:
        instance_id = request.headers.get("X-Instance-ID")
        tenant_id = request.headers.get("X-Tenant-ID")
        signature = request.headers.get("X-Instance-ID-Signature")
        remote_address = request.headers.get("X-Forwarded-For")
        if instance_id is None:
            raise HTTPError(400, "X-Instance-ID header is missing from request.")
        if signature is None:
            raise HTTPError(400, "X-Instance-ID-Signature header is missing from request.")
        if tenant_id is None:
            raise HTTPError(400, "X-Tenant-ID header is missing from request.")
        # A repeated header reaches WSGI as one value joined by commas.
        if "," in instance_id:
            raise HTTPError(400, "Multiple X-Instance-ID headers found within request.")
        if "," in tenant_id:
            raise HTTPError(400, "Multiple X-Tenant-ID headers found within request.")
        secret = CONF.neutron.metadata_proxy_shared_secret
        if not secret:  # an HMAC with the empty key proves nothing (the services refuse
            LOG.error("[neutron] metadata_proxy_shared_secret is not set; refusing the "
                      "signed request for %s", instance_id)  # to start without one)
            raise HTTPError(403, BAD_SIGNATURE)
        expected = sign_instance_id(secret, instance_id)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            LOG.warning("X-Instance-ID-Signature does not match the expected value for id "
                        "%s. Request From: %s", instance_id, remote_address)
            raise HTTPError(403, BAD_SIGNATURE)
        try:
            meta = self.get_metadata_by_instance_id(instance_id, remote_address)
        except Exception:
            LOG.exception("Failed to get metadata for instance id: %s", instance_id)
            raise HTTPError(500, UNKNOWN_ERROR) from None
        if meta is None:
            LOG.error("Failed to get metadata for instance id: %s", instance_id)
        elif meta.instance.get("project_id") != tenant_id:
            LOG.warning("Tenant_id %s does not match tenant_id of instance %s.",
                        tenant_id, instance_id)
            meta = None
        return meta

    # --- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        request = wsgi.Request(environ)
        try:
            response = self.handle(request)
        except HTTPError as error:
            response = _error_response(error.code, error.message)
        except exception.NovaliteException as error:  # a body past the limit
            response = _error_response(error.code, error.message)
        except Exception:
            LOG.exception("Unexpected error handling %s %s", request.method, request.path_info)
            response = _error_response(500, UNKNOWN_ERROR)
        return response(environ, start_response)

    def handle(self, request: webob.Request) -> webob.Response:
        path = request.path_info or "/"
        if path.strip("/") == "":
            return _text_response(metadata_tree.ec2_md_print(metadata_tree.VERSIONS + ["latest"]))
        if CONF.neutron.service_metadata_proxy:
            meta = self._by_signed_instance_id(request)
        else:
            meta = self._by_source_address(request)
        if meta is None:
            raise HTTPError(404)
        try:
            data = meta.lookup(path)
        except metadata_tree.InvalidMetadataPath:
            raise HTTPError(404) from None
        if data is metadata_tree.PASSWORD:
            return self._password(request, meta)
        body, content_type = meta.render_data(path, data)
        return _text_response(body, content_type)

    def _password(self, request: webob.Request, meta: metadata_tree.InstanceMetadata
                  ) -> webob.Response:
        """GET the guest's encrypted password, or POST it once (nova password.py)."""
        if request.method in ("GET", "HEAD"):
            return _text_response(meta.password or "")
        if request.method != "POST":
            raise HTTPError(400, "GET and POST only are supported.")
        current = self.get_instance(meta.uuid)
        if current is None:
            raise HTTPError(400, f"Instance {meta.uuid} could not be found.")
        if metadata_tree.extract_password(current.get("system_metadata") or {}):
            raise HTTPError(409)
        if (request.content_length or 0) > metadata_tree.PASSWORD_MAX_SIZE \
                or len(request.body) > metadata_tree.PASSWORD_MAX_SIZE:
            raise HTTPError(400, "Request is too large.")
        self.store_password(meta.uuid, request.body)
        self._cache.forget(meta.uuid)
        return _text_response(b"")


def make_app(**kwargs: Any) -> WSGIApp:
    """The metadata application (keyword arguments: see ``MetadataRequestHandler``)."""
    return wsgi.Guard(MetadataRequestHandler(**kwargs), _error_response)


def make_server(**kwargs: Any) -> wsgi.Server:
    """A (not yet started) server on ``[DEFAULT] metadata_listen:metadata_listen_port``."""
    return wsgi.Server("metadata", make_app(**kwargs), CONF.metadata_listen,
                       CONF.metadata_listen_port, threads=CONF.metadata_workers)
