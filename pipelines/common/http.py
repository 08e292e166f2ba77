"""HTTP for every API source: dlt's REST client, with the retries real APIs need.

`ApiClient` wraps `dlt.sources.helpers.rest_client.RESTClient` (its
paginators, auth classes and data selectors) on a dlt `Client` session whose
retry policy we set once for every tool:

- 429 and 5xx, timeouts, dropped connections and truncated bodies are retried
  with exponential backoff;
- `Retry-After` (seconds or an HTTP date) is honoured, and so is GitHub's
  rate-limit answer (403 or 429 with `X-RateLimit-Remaining: 0` and
  `X-RateLimit-Reset`, an epoch second);
- the total wait of a request's retries is bounded (`max_wait_seconds`, a
  source's `api.max_wait_seconds` in outcomes.yml, and `max_attempts`): no
  wait runs past it, whatever the server asks, and past it the pull fails
  with an `ApiError` that names the source, the request and what the API
  answered, never a stack trace.

Every request is logged (method, path and query, status, seconds), so tests
assert what an incremental run asked for and `make bench` splits a pull's
time between waiting on HTTP and our own code.
"""

from __future__ import annotations

import copy
import email.utils
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import AuthConfigBase
from dlt.sources.helpers.rest_client.paginators import BasePaginator, SinglePagePaginator
from tenacity import RetryCallState, Retrying, retry_if_exception_type, retry_if_result
from tenacity.stop import stop_after_attempt, stop_after_delay

from outcomes.errors import OutcomesError

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
RETRY_EXCEPTIONS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_MAX_WAIT_SECONDS = 300.0
DEFAULT_TIMEOUT_SECONDS = 60.0


class ApiError(OutcomesError):
    """An API answered something we cannot go on with (after retries)."""

    def __init__(self, source: str, request: str, status: int | None, message: str) -> None:
        answered = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"source {source!r}: {request} -> {answered}: {message}")
        self.source = source
        self.status = status


@dataclass
class RequestRecord:
    method: str
    target: str  # path and query, relative to the host
    status: int | None
    seconds: float


@dataclass
class RequestLog:
    """What one client asked and how long it waited (thread-safe)."""

    records: list[RequestRecord] = field(default_factory=list)
    retry_wait_seconds: float = 0.0
    # What the pull wants the operator to know, in counts (never a record's
    # values): the run summary prints each under the source.
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self.records.append(record)

    @property
    def http_seconds(self) -> float:
        """Time spent waiting on the server, retries' backoff included."""
        return sum(r.seconds for r in self.records) + self.retry_wait_seconds

    def targets(self) -> list[str]:
        return [r.target for r in self.records]


def _header_wait(response: requests.Response | None) -> float | None:
    """Seconds the server asked us to wait, if it said."""
    if response is None:
        return None
    retry_after = response.headers.get("Retry-After")
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return float(value)
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is not None:
            return max(0.0, parsed.timestamp() - time.time())
    if response.headers.get("X-RateLimit-Remaining") == "0":
        reset = response.headers.get("X-RateLimit-Reset", "")
        if reset.isdigit():
            return max(0.0, float(reset) - time.time()) + 1.0
    return None


def _is_rate_limited(response: requests.Response) -> bool:
    # GitHub: the primary limit is a 403 with X-RateLimit-Remaining: 0, a
    # secondary limit a 403 with Retry-After
    return response.status_code in RETRY_STATUS or (
        response.status_code == 403
        and (
            response.headers.get("X-RateLimit-Remaining") == "0"
            or bool(response.headers.get("Retry-After"))
        )
    )


class _RetryingClient(Client):
    """dlt's session factory with our retry policy (dlt's reads only Retry-After)."""

    def __init__(
        self,
        source: str,
        log: RequestLog,
        max_attempts: int,
        max_wait_seconds: float,
        backoff: float,
    ) -> None:
        super().__init__(request_timeout=DEFAULT_TIMEOUT_SECONDS, raise_for_status=False)
        self.source = source
        # statuses a caller handles itself (Google Calendar's 410 Gone), per thread
        self.allowed = threading.local()
        self._log = log
        self._max_attempts = max_attempts
        self._max_wait = max_wait_seconds
        self._backoff = backoff

    def check(self, response: requests.Response) -> None:
        """Fail, after retries, on an error status the caller does not handle."""
        if response.status_code < 400 or response.status_code in getattr(
            self.allowed, "statuses", ()
        ):
            return
        parts = urlsplit(response.url or "")
        raise ApiError(
            self.source,
            f"{response.request.method} {parts.path}",
            response.status_code,
            error_message(response),
        )

    def _wait(self, state: RetryCallState) -> float:
        response = None
        if state.outcome is not None and not state.outcome.failed:
            response = state.outcome.result()
        asked = _header_wait(response)
        backoff = self._backoff * (2 ** (state.attempt_number - 1))
        wait = asked if asked is not None else backoff
        # never past the bound: a long Retry-After, or backoff doubling, would
        # otherwise overshoot it by up to one whole wait
        wait = max(0.0, min(wait, self._max_wait - state.seconds_since_start))
        self._log.retry_wait_seconds += wait
        return wait

    def _stop(self, state: RetryCallState) -> bool:
        # read when asked, not when the session was made: `ApiClient.limit` may come later
        stop = stop_after_attempt(self._max_attempts) | stop_after_delay(self._max_wait)
        return stop(state)

    def _make_session(self) -> requests.Session:
        session = requests.Session()
        session.mount("http://", self._adapter)
        session.mount("https://", self._adapter)
        send = session.send
        log = self._log

        def timed_send(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            kwargs.setdefault("timeout", DEFAULT_TIMEOUT_SECONDS)
            parts = urlsplit(request.url or "")
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            start = time.perf_counter()
            try:
                response = send(request, **kwargs)
            except Exception:
                log.add(
                    RequestRecord(request.method or "", target, None, time.perf_counter() - start)
                )
                raise
            log.add(
                RequestRecord(
                    request.method or "", target, response.status_code, time.perf_counter() - start
                )
            )
            if response.status_code < 300 and "json" in response.headers.get("Content-Type", ""):
                try:  # a body cut short, yet complete as HTTP: ask again
                    orjson.loads(response.content)
                except orjson.JSONDecodeError:
                    raise requests.exceptions.ContentDecodingError(
                        f"{target}: the body is not valid JSON"
                    ) from None
            return response

        retrying = Retrying(
            retry=retry_if_exception_type(RETRY_EXCEPTIONS) | retry_if_result(_is_rate_limited),
            stop=self._stop,
            wait=self._wait,
            reraise=True,
            retry_error_callback=lambda state: state.outcome.result(),
        )
        retried = retrying.wraps(timed_send)
        check = self.check

        def checked_send(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            try:
                response = retried(request, **kwargs)
            except RETRY_EXCEPTIONS as exc:
                parts = urlsplit(request.url or "")
                raise ApiError(
                    self.source, f"{request.method} {parts.path}", None, _describe(exc)
                ) from None
            check(response)
            return response

        session.send = checked_send  # type: ignore[method-assign]
        return session


class ApiClient:
    """One tool's API: base URL, auth, retries, a request log; pages of JSON records."""

    def __init__(
        self,
        source: str,
        base_url: str,
        auth: AuthConfigBase | None = None,
        headers: dict[str, str] | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS,
        backoff_seconds: float = 1.0,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.log = RequestLog()
        self._http = _RetryingClient(
            source, self.log, max_attempts, max_wait_seconds, backoff_seconds
        )
        self._headers = headers or {}
        self._auth = auth
        self._local = threading.local()

    def limit(self, max_wait_seconds: float | None = None, max_attempts: int | None = None) -> None:
        """Bound the retries otherwise than the defaults (a source's settings)."""
        if max_wait_seconds is not None:
            self._http._max_wait = float(max_wait_seconds)
        if max_attempts is not None:
            self._http._max_attempts = int(max_attempts)

    def _rest(self) -> RESTClient:
        """dlt's REST client, one per thread (its session is per thread), reused:
        building one resolves dlt's configuration, ~10 ms, once per request before."""
        session = self._http.session
        rest = getattr(self._local, "rest", None)
        if rest is None or rest.session is not session:
            rest = self._local.rest = RESTClient(
                base_url=self.base_url,
                headers=self._headers,
                auth=self._auth,
                paginator=SinglePagePaginator(),
                session=session,
            )
        return rest

    def paginate(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        paginator: BasePaginator | None = None,
        data_selector: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of a listing, to the last one, as lists of records.

        `path` may be a full URL (a `next` link the API handed out)."""
        pages = self._rest().paginate(
            path,
            params=params,
            paginator=copy.deepcopy(paginator) if paginator is not None else None,
            data_selector=data_selector,
            hooks={"response": []},
        )
        try:
            for page in pages:
                yield list(page)
        except (json.JSONDecodeError, requests.exceptions.JSONDecodeError):
            raise ApiError(self.source, f"GET {path}", None, "a page's body is not JSON") from None

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """One JSON document (retried like every request)."""
        return self.response(path, params).json()

    def post_json(
        self, path: str, body: dict[str, Any], params: dict[str, Any] | None = None
    ) -> Any:
        """The JSON answer of one POST (a search or a batch read, retried like every request)."""
        return self._rest().post(path, json=body, params=params, hooks={"response": []}).json()

    def response(
        self, path: str, params: dict[str, Any] | None = None, allow: tuple[int, ...] = ()
    ) -> requests.Response:
        """The response of one GET; `allow` lists error statuses the caller handles
        itself (Google Calendar's 410 Gone for an expired sync token)."""
        self._http.allowed.statuses = allow
        try:
            return self._rest().get(path, params=params, hooks={"response": []})
        finally:
            self._http.allowed.statuses = ()


def _describe(exc: BaseException) -> str:
    """A transport failure in words, without the request's query (it may carry a token)."""
    kinds = {
        requests.Timeout: "timed out",
        requests.exceptions.ChunkedEncodingError: "the body was cut short",
        requests.exceptions.ContentDecodingError: "the body is not valid JSON",
        requests.ConnectionError: "could not connect",
    }
    for kind, words in kinds.items():
        if isinstance(exc, kind):
            return f"{words} (after retries)"
    return type(exc).__name__


def error_message(response: requests.Response) -> str:
    """What the API said, briefly: its error message field, or the reason phrase.

    Only the API's own error fields are read (never a record), and cut short."""
    try:
        body = response.json()
    except ValueError:
        return (response.reason or "error")[:200]
    if isinstance(body, dict):
        for key in ("message", "error_description", "errorMessages", "error", "detail", "errors"):
            if body.get(key):
                value = body[key]
                if isinstance(value, dict):
                    value = value.get("message") or value.get("title") or json.dumps(value)
                if isinstance(value, list):
                    value = "; ".join(str(v) for v in value)
                return str(value)[:200]
    return (response.reason or "error")[:200]
