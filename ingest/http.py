"""Fetching web sources over HTTP: bounded, retried, conditional, and archived before anything parses it.

`Fetcher.fetch` never raises for network or HTTP trouble: it returns a `FetchResult` whose `error`
is a `rejects` reason (`fetch_error`, `http_error`, `too_large`), and every fetch, good or bad,
leaves exactly one line in the raw archive's manifest.
"""

from __future__ import annotations

import email.utils
import itertools
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType

import httpx

from ingest.archive import ArchiveRecord, RawArchive

USER_AGENT = "solieu/0.1 (+https://github.com/solieu/solieu; Vietnamese public-security figures)"
MAX_BACKOFF = 8.0  # seconds; doubling stops here
MAX_RETRY_AFTER = 30.0  # a server asking for a longer pause gets no retry this run


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # between two reads, not for the whole body: see total_timeout
    total_timeout: float = 120.0  # one attempt, headers and body: a server dripping bytes cannot hold a worker
    max_bytes: int = 10 * 1024 * 1024  # larger bodies are aborted while streaming -> too_large
    max_redirects: int = 5
    retries: int = 3  # extra attempts after the first, on 5xx, 429, timeouts and connection errors
    backoff: float = 0.5  # seconds, doubled per attempt up to MAX_BACKOFF; Retry-After on 503/429 when longer
    per_host: int = 2  # requests in flight per host
    max_in_flight: int = 8  # requests in flight overall
    user_agent: str = USER_AGENT


DEFAULT_POLICY = FetchPolicy()


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    final_url: str
    status: int | None
    headers: dict[str, str]
    sha256: str | None  # body in the archive (for a 304: the sha of the archived body it confirms)
    not_modified: bool = False  # 304 to a conditional request
    error: str | None = None  # reject reason: fetch_error, http_error or too_large
    detail: str | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What one request (with its redirects) came back with."""

    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    detail: str | None = None
    retryable: bool = False
    retry_after: float | None = None  # seconds the server asked us to wait


class Fetcher:
    """httpx client with the policy; context manager (closes the client)."""

    def __init__(
        self, archive: RawArchive, policy: FetchPolicy = DEFAULT_POLICY, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.archive = archive
        self.policy = policy
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent},
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
            # Redirects are followed by hand (`_attempt`): httpx reads every redirect body whole,
            # which would let a redirect response bypass max_bytes.
            follow_redirects=False,
            limits=httpx.Limits(max_connections=policy.max_in_flight, max_keepalive_connections=policy.max_in_flight),
            transport=transport,
        )
        self._in_flight = threading.BoundedSemaphore(policy.max_in_flight)
        self._per_host: dict[str, threading.BoundedSemaphore] = {}
        self._per_host_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, source: str, role: str, conditional: bool = True) -> FetchResult:
        """GET `url`, store the body and one manifest record, and say how it went.

        With `conditional`, the last archived response for `url` supplies If-None-Match /
        If-Modified-Since; a 304 then stores nothing and the manifest record has `sha256` None
        (so `RawArchive.latest` keeps pointing at the 200 it confirms), while the result carries
        that confirmed digest.
        """
        previous = self.archive.latest(url) if conditional else None
        request_headers = _conditional_headers(previous)
        attempts = 0
        while True:
            attempts += 1
            fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
            with self._slot(url):
                attempt = self._attempt(url, request_headers)
            if not attempt.retryable or attempts > self.policy.retries:
                break
            delay = min(self.policy.backoff * 2 ** (attempts - 1), MAX_BACKOFF)
            if attempt.retry_after is not None:
                if attempt.retry_after > MAX_RETRY_AFTER:
                    attempt = replace(attempt, detail=f"{attempt.detail}; Retry-After {attempt.retry_after:.0f} s")
                    break
                delay = max(delay, attempt.retry_after)
            time.sleep(delay)
        return self._record(url, source, role, fetched_at, attempt, attempts, previous)

    def fetch_many(self, requests: Sequence[tuple[str, str, str]]) -> list[FetchResult]:
        """Fetch `(url, source, role)` triples concurrently; results in the order given."""
        if not requests:
            return []
        results: list[FetchResult | None] = [None] * len(requests)
        workers = min(self.policy.max_in_flight, len(requests))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="solieu-fetch") as pool:
            futures = {
                pool.submit(self.fetch, requests[i][0], source=requests[i][1], role=requests[i][2]): i
                for i in _interleaved_by_host([url for url, _, _ in requests])
            }
            for future, index in futures.items():
                results[index] = future.result()
        return [result for result in results if result is not None]

    @contextmanager
    def _slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's slots, then one overall slot, for the length of a request."""
        host = _host(url)
        with self._per_host_lock:
            host_slots = self._per_host.setdefault(host, threading.BoundedSemaphore(self.policy.per_host))
        # Host first: a thread waiting on a busy host must not sit on an overall slot meanwhile.
        with host_slots, self._in_flight:
            yield

    def _attempt(self, url: str, request_headers: dict[str, str]) -> _Attempt:
        policy = self.policy
        deadline = time.monotonic() + policy.total_timeout
        try:
            request = self._client.build_request("GET", url, headers=request_headers)
            for _ in range(policy.max_redirects + 1):
                response = self._client.send(request, stream=True)
                try:
                    if response.next_request is None:
                        return self._read(response, deadline)
                    request = response.next_request  # closed unread: a redirect's body is never wanted
                finally:
                    response.close()
            return _Attempt(url, error="fetch_error", detail=f"too many redirects (over {policy.max_redirects})")
        except httpx.TimeoutException as exc:
            return _Attempt(url, error="fetch_error", detail=_timeout_detail(exc, policy), retryable=True)
        except httpx.UnsupportedProtocol as exc:
            return _Attempt(url, error="fetch_error", detail=f"unsupported URL: {exc}")
        except httpx.TransportError as exc:  # DNS, refused, reset, broken HTTP: may be gone on the next try
            return _Attempt(url, error="fetch_error", detail=f"{type(exc).__name__}: {exc}", retryable=True)
        except (httpx.InvalidURL, httpx.DecodingError) as exc:
            return _Attempt(url, error="fetch_error", detail=f"{type(exc).__name__}: {exc}")

    def _read(self, response: httpx.Response, deadline: float) -> _Attempt:
        """The body of a final (non-redirect) response, read no further than `max_bytes`."""
        max_bytes = self.policy.max_bytes
        final_url = str(response.url)
        status = response.status_code
        headers = dict(response.headers.items())
        conditional = "if-none-match" in response.request.headers or "if-modified-since" in response.request.headers
        if status == 304 and conditional:  # no body: the archived one still holds
            return _Attempt(final_url, status, headers)
        if not 200 <= status < 300:
            phrase = httpx.codes.get_reason_phrase(status) or response.reason_phrase
            return _Attempt(
                final_url,
                status,
                headers,
                error="http_error",
                detail=f"HTTP {status} {phrase}".strip(),
                retryable=status >= 500 or status == 429,
                retry_after=_retry_after(headers) if status in (429, 503) else None,
            )
        declared = _content_length(headers)
        if declared is not None and declared > max_bytes:
            detail = f"Content-Length {declared} bytes, limit {max_bytes}"
            return _Attempt(final_url, status, headers, error="too_large", detail=detail)
        body = bytearray()
        # Decoded bytes (Content-Encoding undone) are what is counted and stored.
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                detail = f"over {max_bytes} bytes; stopped reading at {len(body)}"
                return _Attempt(final_url, status, headers, error="too_large", detail=detail)
            if time.monotonic() > deadline:
                detail = f"body not complete after {self.policy.total_timeout:g} s ({len(body)} bytes read)"
                return _Attempt(final_url, status, headers, error="fetch_error", detail=detail, retryable=True)
        return _Attempt(final_url, status, headers, body=bytes(body))

    def _record(
        self,
        url: str,
        source: str,
        role: str,
        fetched_at: str,
        attempt: _Attempt,
        attempts: int,
        previous: ArchiveRecord | None,
    ) -> FetchResult:
        """Store the body (first), append the one manifest line for this fetch, and build the result."""
        sha256: str | None = None
        if attempt.body is not None:
            sha256 = self.archive.store(attempt.body)
        detail = attempt.detail
        if attempt.error is not None and attempts > 1:
            detail = f"{detail} (after {attempts} attempts)"
        self.archive.append(
            ArchiveRecord(
                url=url,
                final_url=attempt.final_url,
                fetched_at=fetched_at,
                status=attempt.status,
                headers=attempt.headers,
                sha256=sha256,
                size=len(attempt.body) if attempt.body is not None else 0,
                source=source,
                role=role,
                error=attempt.error,
                detail=detail,
            )
        )
        not_modified = attempt.error is None and attempt.status == 304
        if not_modified and previous is not None:
            sha256 = previous.sha256
        return FetchResult(
            url=url,
            final_url=attempt.final_url,
            status=attempt.status,
            headers=attempt.headers,
            sha256=sha256,
            not_modified=not_modified,
            error=attempt.error,
            detail=detail,
            attempts=attempts,
        )


def _conditional_headers(previous: ArchiveRecord | None) -> dict[str, str]:
    if previous is None:
        return {}
    headers = {}
    if etag := previous.headers.get("etag"):
        headers["If-None-Match"] = etag
    if last_modified := previous.headers.get("last-modified"):
        headers["If-Modified-Since"] = last_modified
    return headers


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host
    except httpx.InvalidURL:
        return ""  # the request itself will fail and say why


def _interleaved_by_host(urls: Sequence[str]) -> list[int]:
    """Indices of `urls`, taking one per host in turn.

    Workers are taken in submission order: a run of one host's URLs would park every worker
    on that host's slots while other hosts wait.
    """
    by_host: dict[str, list[int]] = {}
    for index, url in enumerate(urls):
        by_host.setdefault(_host(url), []).append(index)
    rounds = itertools.zip_longest(*by_host.values())
    return [index for index in itertools.chain.from_iterable(rounds) if index is not None]


def _content_length(headers: dict[str, str]) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


def _retry_after(headers: dict[str, str]) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date)."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _timeout_detail(exc: httpx.TimeoutException, policy: FetchPolicy) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timeout ({policy.connect_timeout:g} s)"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection in time"
    kind = "read" if isinstance(exc, httpx.ReadTimeout) else "write"
    return f"{kind} timeout ({policy.read_timeout:g} s)"
