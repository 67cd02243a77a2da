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


class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


class ConfigurationError(NovaliteException):
    msg_fmt = "Configuration error: %(reason)s"
