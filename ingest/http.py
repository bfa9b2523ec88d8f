"""Fetching web sources over HTTP: bounded, retried, conditional, and archived before anything parses it.

`Fetcher.fetch` never raises for network or HTTP trouble: it returns a `FetchResult` whose `error`
is a `rejects` reason (`fetch_error`, `http_error`, `too_large`), and every fetch, good or bad,
leaves exactly one line in the raw archive's manifest.

Every attempt is bounded whatever the server does: a total deadline covers connect, headers
and body (a watchdog shuts the request's socket down when it passes), and the body is
decompressed layer by layer in bounded steps, each layer counted against `max_bytes`, so a
gzip bomb stops at the limit instead of expanding in memory.

Credentials in a URL (`http://user:pass@host/`) are sent as HTTP Basic auth to that URL's
origin and never stored or shown: every URL a result, a manifest line or a message holds has
its userinfo removed.
"""

from __future__ import annotations

import contextlib
import email.utils
import itertools
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx

from ingest.archive import ArchiveRecord, RawArchive
from ingest.sources import Credentials, split_credentials

USER_AGENT = "solieu/0.1 (+https://github.com/solieu/solieu; Vietnamese public-security figures)"
MAX_BACKOFF = 8.0  # seconds; doubling stops here
MAX_RETRY_AFTER = 30.0  # a server asking for a longer pause gets no retry this run
# The codings this fetcher undoes itself (bounded), and so the only ones it asks for.
ACCEPT_ENCODING = "gzip, deflate"
_IDENTITY = {"", "identity"}
DECODE_STEP = 64 * 1024  # most bytes one decompression step may produce


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # between two reads, not for the whole body: see total_timeout
    # One attempt: connect, headers and body; a server dripping bytes cannot hold a worker. Not retried when it
    # passes: a server that slow would cost the limit again per retry.
    total_timeout: float = 120.0
    max_bytes: int = 10 * 1024 * 1024  # larger bodies (decoded, or any layer of their encoding) -> too_large
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


class _TooLarge(Exception):
    """A body as received, or one layer of its Content-Encoding undone, grew past max_bytes;
    the message says which ("" for the body as received)."""


class _Undecodable(Exception):
    """The body's Content-Encoding is unknown or its data is corrupt."""


class _Layer:
    """One Content-Encoding layer (gzip or deflate) undone in steps of at most DECODE_STEP bytes.

    zlib's `max_length` is what bounds memory: without it one 64 KB chunk of a gzip-of-gzip
    body expands to hundreds of megabytes in a single call.
    """

    def __init__(self, coding: str, max_bytes: int) -> None:
        self.coding = coding
        self.max_bytes = max_bytes
        self.produced = 0
        self._started = False  # deflate: whether the zlib-wrapped reading has been tried yet
        self._members = 0  # gzip members read to their end
        self._ended = False  # the stream is over: what still comes is not the body
        self._inflater = self._new_inflater()

    def _new_inflater(self, raw_deflate: bool = False) -> Any:
        if self.coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)

    def decode(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            if not self._ended:
                yield from self._feed(piece)
        if self._ended:
            return
        try:
            tail = self._inflater.flush()  # input is all consumed: at most what zlib still holds
        except zlib.error as error:
            raise _Undecodable(f"Content-Encoding {self.coding}: {error}") from error
        if tail:
            yield self._counted(tail)

    def _feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._inflater.decompress(data, DECODE_STEP)
            except zlib.error as error:
                if self.coding == "deflate" and not self._started:
                    # "deflate" is zlib-wrapped by the RFC, raw deflate by many servers: try both, as httpx does
                    self._started = True
                    self._inflater = self._new_inflater(raw_deflate=True)
                    continue
                if self._members:  # junk after a complete gzip member: dropped, as httpx drops it
                    self._ended = True
                    return
                raise _Undecodable(f"Content-Encoding {self.coding}: {error}") from error
            self._started = True
            data = self._inflater.unconsumed_tail
            if out:
                yield self._counted(out)
            if self._inflater.eof:
                data = self._inflater.unused_data
                self._members += 1
                if self.coding == "deflate" or not data.strip(b"\0"):
                    # Not the body (zlib keeps piling it up in unused_data if fed on)
                    self._ended = self.coding == "deflate" or bool(data)
                    if not self._ended:
                        self._inflater = self._new_inflater()  # the next piece may start another member
                    return
                self._inflater = self._new_inflater()  # concatenated gzip members are one body
            elif not data and len(out) < DECODE_STEP:
                return  # input consumed and no output pending

    def _counted(self, out: bytes) -> bytes:
        self.produced += len(out)
        if self.produced > self.max_bytes:
            raise _TooLarge(f"with Content-Encoding {self.coding} undone")
        return out


def _content_layers(headers: httpx.Headers, max_bytes: int) -> list[_Layer]:
    """The decoders for a Content-Encoding header, in the order they apply (the last coding first)."""
    codings = [c.strip().lower() for value in headers.get_list("content-encoding") for c in value.split(",")]
    layers = []
    for coding in reversed(codings):
        if coding in _IDENTITY:
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise _Undecodable(f"unsupported Content-Encoding {coding[:40]!r} (asked for {ACCEPT_ENCODING})")
        layers.append(_Layer(coding, max_bytes))
    return layers


class _Deadline:
    """The total time limit of one attempt: when it passes, the attempt's sockets are shut down,
    which ends whatever read is blocked on them (headers trickled a byte at a time included).

    httpx has no total timeout, and its read timeout restarts with every byte. The sockets come
    from httpx's public `trace` request extension (connection.connect_tcp / start_tls events);
    a pooled connection reused for a later request emits no such event, which is why the
    fetcher keeps no idle connections (every attempt opens the connections it can cut).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()  # closed by now; a late timer must not touch them

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace callback: remember each socket the attempt opens."""
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut_down(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut_down(sock)


def _shut_down(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed (or detached when TLS wrapped it)
        # The plain socket method, also for a TLS socket: SSLSocket.shutdown would first drop its
        # SSL object under the thread still reading from it.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Fetcher:
    """httpx client with the policy; context manager (closes the client)."""

    def __init__(
        self, archive: RawArchive, policy: FetchPolicy = DEFAULT_POLICY, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.archive = archive
        self.policy = policy
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
            # Redirects are followed by hand (`_attempt`): httpx reads every redirect body whole,
            # which would let a redirect response bypass max_bytes.
            follow_redirects=False,
            # No idle connections: `_Deadline` can cut only the connections an attempt opens itself.
            limits=httpx.Limits(max_connections=policy.max_in_flight, max_keepalive_connections=0),
            transport=transport,
        )
        self._in_flight = threading.BoundedSemaphore(policy.max_in_flight)
        self._per_host: dict[str, threading.BoundedSemaphore] = {}
        self._per_host_lock = threading.Lock()
        self._credentials: dict[tuple[str, str, int | None], Credentials] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def add_credentials(self, url: str, credentials: Credentials) -> None:
        """Send `credentials` (user, password) as Basic auth with every request to `url`'s origin
        (scheme, host, port), redirects there included; other origins never see them."""
        origin = _origin(url)
        if origin is not None:
            self._credentials[origin] = credentials

    def fetch(self, url: str, *, source: str, role: str, conditional: bool = True) -> FetchResult:
        """GET `url`, store the body and one manifest record, and say how it went.

        With `conditional`, the last archived response for `url` supplies If-None-Match /
        If-Modified-Since; a 304 then stores nothing and the manifest record has `sha256` None
        (so `RawArchive.latest` keeps pointing at the 200 it confirms), while the result carries
        that confirmed digest. Userinfo in `url` is used for this request's origin and removed
        from every URL the result and the manifest hold.
        """
        url, embedded = split_credentials(url)
        previous = self.archive.latest(url) if conditional else None
        request_headers = _conditional_headers(previous)
        attempts = 0
        while True:
            attempts += 1
            fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
            with self._slot(url):
                attempt = self._attempt(url, request_headers, embedded)
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

    def _auth(self, url: httpx.URL, given_url: str, given: Credentials | None) -> httpx.BasicAuth | None:
        """Basic auth for one request of an attempt: the credentials the fetched URL carried while
        the request stays on that URL's origin, else the ones added for the request's origin."""
        origin = _origin(str(url))
        credentials = given
        if credentials is None or origin != _origin(given_url):
            credentials = self._credentials.get(origin) if origin is not None else None
        return httpx.BasicAuth(*credentials) if credentials is not None else None

    def _attempt(self, url: str, request_headers: dict[str, str], credentials: Credentials | None = None) -> _Attempt:
        policy = self.policy
        with _Deadline(policy.total_timeout) as deadline:
            try:
                request = self._client.build_request(
                    "GET", url, headers=request_headers, extensions={"trace": deadline.trace}
                )
                for _ in range(policy.max_redirects + 1):
                    response = self._client.send(request, stream=True, auth=self._auth(request.url, url, credentials))
                    try:
                        if response.next_request is None:
                            attempt = self._read(response, deadline)
                            break
                        request = response.next_request  # closed unread: a redirect's body is never wanted
                    finally:
                        response.close()
                else:
                    return _Attempt(
                        url, error="fetch_error", detail=f"too many redirects (over {policy.max_redirects})"
                    )
            except httpx.TimeoutException as exc:
                if deadline.expired:
                    return _Attempt(url, error="fetch_error", detail=_deadline_detail(policy))
                return _Attempt(url, error="fetch_error", detail=_timeout_detail(exc, policy), retryable=True)
            except httpx.UnsupportedProtocol as exc:
                return _Attempt(url, error="fetch_error", detail=f"unsupported URL: {exc}")
            except httpx.TransportError as exc:  # DNS, refused, reset, broken HTTP: may be gone on the next try
                if deadline.expired:  # the watchdog cut the connection
                    return _Attempt(url, error="fetch_error", detail=_deadline_detail(policy))
                return _Attempt(url, error="fetch_error", detail=f"{type(exc).__name__}: {exc}", retryable=True)
            except (httpx.InvalidURL, httpx.DecodingError) as exc:
                return _Attempt(url, error="fetch_error", detail=f"{type(exc).__name__}: {exc}")
        if deadline.expired and attempt.body is not None:
            # A body read until the connection closed looks complete when the watchdog closed it.
            return replace(attempt, body=None, error="fetch_error", detail=_deadline_detail(policy))
        return attempt

    def _read(self, response: httpx.Response, deadline: _Deadline) -> _Attempt:
        """The body of a final (non-redirect) response, decoded and read no further than `max_bytes`."""
        max_bytes = self.policy.max_bytes
        final_url = split_credentials(str(response.url))[0]
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
        wire = _Counted(response.iter_raw(), max_bytes)
        # Decoded bytes (Content-Encoding undone) are what is counted and stored.
        try:
            decoded: Iterable[bytes] = wire
            for layer in _content_layers(response.headers, max_bytes):
                decoded = layer.decode(decoded)
            for chunk in decoded:
                body += chunk
                if len(body) > max_bytes:
                    detail = f"over {max_bytes} bytes; stopped reading at {len(body)}"
                    return _Attempt(final_url, status, headers, error="too_large", detail=detail)
                if deadline.expired:
                    detail = _deadline_detail(self.policy)
                    return _Attempt(final_url, status, headers, error="fetch_error", detail=detail)
        except _TooLarge as error:
            undone = f" {error}" if str(error) else ""  # which layer of the encoding, if any
            detail = f"over {max_bytes} bytes{undone}; stopped reading at {wire.count}"
            if undone:
                detail += " bytes received"
            return _Attempt(final_url, status, headers, error="too_large", detail=detail)
        except _Undecodable as error:
            return _Attempt(final_url, status, headers, error="fetch_error", detail=str(error))
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


class _Counted:
    """The raw (still encoded) body chunks, counted against max_bytes as they arrive."""

    def __init__(self, chunks: Iterator[bytes], max_bytes: int) -> None:
        self._chunks = chunks
        self.max_bytes = max_bytes
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.count += len(chunk)
            if self.count > self.max_bytes:
                raise _TooLarge("")
            yield chunk


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return None
    return parsed.scheme, parsed.host, parsed.port  # httpx leaves the port None when it is the default


def _deadline_detail(policy: FetchPolicy) -> str:
    return f"no complete response within the total time limit ({policy.total_timeout:g} s)"


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
