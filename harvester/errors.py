"""The harvester's exception tree, grouped by what the caller does next.

- HarvesterError
    - ConfigurationError: fatal, raised before any work starts
    - ApiError: carries the API method, HTTP status, names and the API's message
        - ApiRetriableError: timeouts, dropped connections, 429 and 5xx after
          the client's own retries ran out; the next cycle may succeed
        - ApiFatalError: the request itself is wrong; retrying will not help
            - BadRequestError (400)
            - AuthenticationError (401)
            - PermissionDeniedError (403)
            - NotFoundError (404)
            - ConflictError (409)
        - MalformedResponseError: a 200 whose body is not what the API documents
    - UnpageableError: a full page whose records share one time cannot be
      paged past by time
    - WarehouseError: the database refused or lost a write
    - ReportingError: the reporting file could not be built
        - QueryError: a query given to `harvester sql` failed
"""

from __future__ import annotations

from datetime import datetime


class HarvesterError(Exception):
    """Base of every error the harvester raises on purpose."""


class ConfigurationError(HarvesterError):
    """The configuration is missing a value or holds a wrong one."""


class ApiError(HarvesterError):
    """A call to the BPCC API failed.

    Attributes:
        method: the API method, such as ``callinglist/getChanged``.
        status: the HTTP status, or None when no response arrived.
        names: the list, campaign or DNC list names the call was about.
        api_message: the message the API gave, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        status: int | None = None,
        names: tuple[str, ...] = (),
        api_message: str = "",
    ) -> None:
        super().__init__(message)
        self.method = method
        self.status = status
        self.names = names
        self.api_message = api_message


class ApiRetriableError(ApiError):
    """A transient failure that persisted through every retry."""


class ApiFatalError(ApiError):
    """A failure that retrying the same request cannot fix."""


class BadRequestError(ApiFatalError):
    """The API answered 400: it did not understand the request."""


class AuthenticationError(ApiFatalError):
    """The API answered 401: the credentials or the token were refused."""


class PermissionDeniedError(ApiFatalError):
    """The API answered 403: the API user lacks a privilege."""


class NotFoundError(ApiFatalError):
    """The API answered 404: the list, campaign or record does not exist."""


class ConflictError(ApiFatalError):
    """The API answered 409: a record with the same key already exists."""


class MalformedResponseError(ApiError):
    """A successful response whose body does not have the documented shape."""


class UnpageableError(HarvesterError):
    """A full page whose records all share one time.

    Paging by time asks for records at or after a time; when a whole page
    shares one time, asking again from that time returns the same page, so the
    caller must fall back to another way of reading the list.
    """

    def __init__(self, message: str, *, stuck_at: datetime) -> None:
        super().__init__(message)
        self.stuck_at = stuck_at


class WarehouseError(HarvesterError):
    """The warehouse database could not be read or written."""


class ReportingError(HarvesterError):
    """The reporting file could not be built or opened."""


class QueryError(ReportingError):
    """A query run through ``harvester sql`` failed."""
