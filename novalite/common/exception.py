"""novalite's exceptions. Each carries the HTTP status the REST layer answers with.

A message is built from ``msg_fmt`` and keyword arguments, as in Nova, so the same
error reads the same everywhere.
"""

from __future__ import annotations

from typing import Any


class NovaliteException(Exception):
    msg_fmt = "An unknown exception occurred."
    code = 500

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = message
        super().__init__(message)


class Invalid(NovaliteException):
    msg_fmt = "Bad request: %(reason)s"
    code = 400


class ValidationError(Invalid):
    msg_fmt = "Invalid input for field/attribute %(field)s. %(reason)s"


class NotAuthenticated(NovaliteException):
    msg_fmt = "The request you have made requires authentication."
    code = 401


class Forbidden(NovaliteException):
    msg_fmt = "You are not authorized to perform the requested action."
    code = 403


class PolicyNotAuthorized(Forbidden):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class NotFound(NovaliteException):
    msg_fmt = "Resource could not be found."
    code = 404


class Conflict(NovaliteException):
    msg_fmt = "Conflict: %(reason)s"
    code = 409


class NotAcceptable(NovaliteException):
    msg_fmt = "%(reason)s"
    code = 406


class OverQuota(NovaliteException):
    msg_fmt = "Quota exceeded: %(reason)s"
    code = 403


class ServiceUnavailable(NovaliteException):
    """Another service (identity, image, network ...) cannot be reached, did not answer
    in time, or failed (5xx)."""

    msg_fmt = "The %(service)s is unavailable: %(reason)s"
    code = 503


class ServiceError(NovaliteException):
    """Another service refused a request with a status no other fault names; ``code`` is
    that status."""

    msg_fmt = "%(reason)s"


class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


class ConfigurationError(NovaliteException):
    msg_fmt = "Configuration error: %(reason)s"


class TokenNotFound(NotFound):
    msg_fmt = "Could not find token: %(token_id)s."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class FlavorExists(Conflict):
    msg_fmt = "Flavor with %(field)s %(value)s already exists."


class FlavorAccessExists(Conflict):
    msg_fmt = "Flavor access already exists for flavor %(flavor_id)s and project %(project_id)s."


class FlavorAccessNotFound(NotFound):
    msg_fmt = "Flavor access not found for %(flavor_id)s / %(project_id)s combination."


class FlavorExtraSpecNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s has no extra specs with key %(key)s."


class KeypairNotFound(NotFound):
    msg_fmt = "Keypair %(name)s not found for user %(user_id)s"


class KeyPairExists(Conflict):
    msg_fmt = "Key pair '%(key_name)s' already exists."


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class UnexpectedStateError(Conflict):
    msg_fmt = ("Conflict updating instance %(instance_uuid)s. Expected %(field)s: %(expected)s. "
               "Actual: %(actual)s")


class InstanceActionNotFound(NotFound):
    msg_fmt = "Action for request_id %(request_id)s on instance %(instance_uuid)s not found"


class NoValidHost(NovaliteException):
    msg_fmt = "No valid host was found. %(reason)s"
    code = 500


class ResourceProviderNotFound(NotFound):
    msg_fmt = "Resource provider %(uuid)s could not be found."


class ResourceProviderInUse(Conflict):
    msg_fmt = "Resource provider %(uuid)s has allocations and cannot be deleted."


class InstanceInvalidState(Conflict):
    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s while it is in "
               "%(attr)s %(state)s")


class InstanceIsLocked(Conflict):
    msg_fmt = "Instance %(instance_uuid)s is locked"


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class ImageNotActive(Invalid):
    msg_fmt = "Image %(image_id)s is not active."


class FlavorTooSmall(Invalid):
    msg_fmt = "%(reason)s"


class ConsoleTypeInvalid(Invalid):
    msg_fmt = "Invalid console type %(console_type)s"


class ConsoleTypeUnavailable(Invalid):
    msg_fmt = "Unavailable console type %(console_type)s."


class ConsolePortRangeExhausted(Invalid):
    msg_fmt = "The console port range %(min_port)d-%(max_port)d is exhausted."


class InstanceNotReady(Conflict):
    msg_fmt = "Instance %(instance_id)s is not ready"


class InvalidToken(NotAuthenticated):
    """A console token that is unknown, expired or no longer matches its console. The
    token itself is never part of the message (messages reach logs)."""

    msg_fmt = "The token is invalid or has expired."


class InstanceGroupNotFound(NotFound):
    msg_fmt = "Instance group %(group_uuid)s could not be found."


class AggregateNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s could not be found."


class AggregateNameExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_name)s already exists."


class AggregateHostExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_id)s already has host %(host)s."


class AggregateHostNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s has no host %(host)s."


class ComputeHostNotFound(NotFound):
    msg_fmt = "Compute host %(host)s could not be found."


class ComputeTooOld(Conflict):
    msg_fmt = ("The compute service of %(host)s is too old for %(method)s (compute RPC "
               "%(version)s); upgrade it first.")


class ComputeServiceUnavailable(Invalid):
    msg_fmt = "Compute service of %(host)s is unavailable at this time."


class FeatureNotSupported(NovaliteException):
    msg_fmt = "The requested functionality is not supported."
    code = 501
