"""Why the simulated tenant refuses a request, and the HTTP status it answers."""

from __future__ import annotations


class RefusalError(Exception):
    """A request the tenant refuses; ``status`` is the HTTP answer."""

    status = 400


class InvalidRequestError(RefusalError):
    """The body is malformed or lacks a required field (400)."""

    status = 400


class UnknownNameError(RefusalError):
    """The calling list, campaign or DNC list does not exist (404)."""

    status = 404


class RecordNotFoundError(RefusalError):
    """No record of the list has the given key (404)."""

    status = 404


class DuplicateKeyError(RefusalError):
    """A record with the same key is already in the list (409)."""

    status = 409
