"""Where documents come from: the sources file (YAML) and `--input` values.

A source is a local folder or file, one web page (`url`) or an RSS/Atom feed (`feed`).
The file shape is documented at the top of the repository's `sources.yaml`.

The file is read with bounds, whatever it holds: at most MAX_FILE_BYTES, YAML aliases refused
(a few hundred bytes of nested aliases expand to billions of nodes), nesting and node count
capped, and every value an error message quotes is shortened. Credentials in a URL
(`http://user:pass@host/`) are kept apart from the URL (`Source.credentials`, not shown in
its repr), so the URL a table, log or message shows never carries them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import unquote, urlsplit, urlunsplit

import yaml
from yaml.nodes import Node

SourceKind = Literal["folder", "file", "url", "feed"]
KINDS: tuple[SourceKind, ...] = get_args(SourceKind)
WEB_KINDS: tuple[SourceKind, ...] = ("url", "feed")  # fetched over HTTP into the raw archive


def is_web_address(value: str) -> bool:
    """Whether `value` names a web page (http or https) rather than a local path."""
    return value.lower().startswith(("http://", "https://"))


_OPTIONAL_FIELDS = ("outlet", "published_between")
MAX_FILE_BYTES = 1024 * 1024  # a sources file lists sources: far below this
MAX_NODES = 50_000  # YAML values (scalars, lists, mappings) in one file: some 10,000 entries; parsed in ~2 s
MAX_DEPTH = 64  # nesting of YAML lists and mappings (the composer recurses once per level)
MAX_SHOWN = 80  # characters of a value an error message quotes
MAX_PATH = 4096  # characters of a path (Linux PATH_MAX); resolving a longer one only takes time to fail

Credentials = tuple[str, str]  # (user, password) for HTTP Basic auth


@dataclass(frozen=True, slots=True)
class Source:
    """One place to read documents from; `name` is unique within a sources file."""

    name: str
    kind: SourceKind
    location: str  # absolute path for folder/file, http(s) URL for url/feed (never with user:pass@)
    outlet: str | None = None  # overrides/gives the outlet for documents of this source
    # first and last day this source's documents were published (an archive's window):
    # it bounds each document's publication date
    published_between: tuple[date, date] | None = None
    # with no declared window, whether one is inferred from the source's own documents
    # (transform/windows.py); `published_between: none` turns it off
    infer_window: bool = True
    # user:pass taken out of the URL: sent to the URL's origin only, never shown (repr) or stored
    credentials: Credentials | None = field(default=None, repr=False)


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """`url` without its userinfo (`user:pass@`), and the (user, password) it held, percent-decoded."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None  # not a URL the fetcher can use either; it reports why
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), (unquote(user), unquote(password))


def without_credentials(url: str) -> str:
    """`url` as it may be stored or shown: without `user:pass@`."""
    return split_credentials(url)[0]


def shown(value: Any) -> str:
    """`value` as an error message quotes it: repr, at most MAX_SHOWN characters, URLs without credentials."""
    if isinstance(value, str) and "@" in value and "://" in value:
        value = without_credentials(value)
    text = repr(value) if not isinstance(value, (dict, list)) else f"a {type(value).__name__}"
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _web_problem(value: str) -> str | None:
    """Why `value` is not an http(s) URL with a host, or None when it is one."""
    try:
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port
    except ValueError as error:  # e.g. an unclosed [IPv6 bracket or a port out of range
        return f"not a valid URL ({error}): {shown(value)}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"must be an http(s) URL, got {shown(value)}"
    if not host:
        return f"URL has no host: {shown(value)}"
    return None


def _expanded(location: str) -> Path:
    """`location` with a leading `~` or `~user` expanded; ValueError when there is no such home."""
    if len(location) > MAX_PATH:
        raise ValueError(f"the path is longer than {MAX_PATH} characters")
    try:
        return Path(location).expanduser()
    except RuntimeError as error:  # ~nouser: Python says "Could not determine home directory."
        user = location.split("/", 1)[0]
        raise ValueError(f"cannot expand {shown(user)}: no such user, or no home directory ({error})") from error


class _SourcesLoader(yaml.SafeLoader):
    """SafeLoader for a sources file: no aliases, bounded nesting and node count.

    Refusing aliases is what stops "billion laughs": each alias is cheap to compose but the
    values it shares multiply, and printing or walking them takes minutes and gigabytes.
    A sources file has no use for them.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(f"line {event.start_mark.line + 1}: YAML aliases (*{event.anchor[:40]}) are not allowed")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES} YAML values; a sources file lists sources")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(f"line {mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Refused(Exception):
    """What `_SourcesLoader` will not read."""


def _read_yaml(path: Path) -> Any:
    """The parsed sources file; ValueError (naming the file, short) for anything unreadable."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # bounded also for /dev/zero or a FIFO
    except OSError as error:
        raise ValueError(f"{path}: cannot read the sources file ({error.strerror or error})") from error
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB; a sources file lists sources")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    loader = _SourcesLoader(text)
    try:
        return loader.get_single_data()
    except _Refused as error:
        raise ValueError(f"{path}: {error}") from None
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())  # the mark's snippet spans lines
        if len(message) > 300:
            message = message[:299] + "…"
        raise ValueError(f"{path}: not valid YAML: {message}") from None
    finally:
        loader.dispose()


def _text(value: Any) -> str | None:
    """A non-blank string, stripped; None for anything else."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _entry(raw: Any, where: str, base: Path) -> Source:
    """One `sources:` entry; `where` ("file: sources[2]") prefixes every error message."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping like {{name: ..., folder: ...}}, got {type(raw).__name__}")
    unknown = [key for key in raw if key not in ("name", *KINDS, *_OPTIONAL_FIELDS)]
    if unknown:
        raise ValueError(
            f"{where}: unknown field {shown(unknown[0])}; an entry has `name`, optional `outlet` and "
            "`published_between` "
            f"and exactly one of {', '.join(KINDS)}"
        )
    if "name" not in raw:
        raise ValueError(f"{where}.name: missing")
    name = _text(raw["name"])
    if name is None:
        raise ValueError(f"{where}.name: must be non-empty text, got {shown(raw['name'])}")
    if len(name) > 200:
        raise ValueError(f"{where}.name: longer than 200 characters: {shown(name)}")
    kinds = [kind for kind in KINDS if kind in raw]
    if not kinds:
        raise ValueError(f"{where} ({name}): missing location; give one of {', '.join(KINDS)}")
    if len(kinds) > 1:
        raise ValueError(f"{where} ({name}): has {' and '.join(kinds)}; give only one of {', '.join(KINDS)}")
    kind = kinds[0]
    location = _text(raw[kind])
    if location is None:
        raise ValueError(f"{where}.{kind} ({name}): must be a non-empty path or URL, got {shown(raw[kind])}")
    outlet = None
    if raw.get("outlet") is not None:  # `outlet:` left empty means none
        outlet = _text(raw["outlet"])
        if outlet is None:
            raise ValueError(f"{where}.outlet ({name}): must be non-empty text, got {shown(raw['outlet'])}")
    infer = raw.get("published_between") != "none"
    window = _window(None if not infer else raw.get("published_between"), f"{where}.published_between ({name})")
    if kind in ("url", "feed"):
        problem = _web_problem(location)
        if problem:
            raise ValueError(f"{where}.{kind} ({name}): {problem}")
        url, credentials = split_credentials(location)
        return Source(
            name=name, kind=kind, location=url, outlet=outlet, published_between=window, credentials=credentials
        )
    if "://" in location:
        raise ValueError(f"{where}.{kind} ({name}): expected a path, got the URL {shown(location)} (use url or feed)")
    try:
        path = (base / _expanded(location)).resolve()
    except ValueError as error:
        raise ValueError(f"{where}.{kind} ({name}): {error}") from None
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop, on Python 3.11
        raise ValueError(f"{where}.{kind} ({name}): cannot resolve {shown(location)} ({error})") from None
    # A missing path is not an error here: the run reports it, like a missing --input.
    try:
        is_file, is_dir = path.is_file(), path.is_dir()
    except OSError as error:  # e.g. a name too long
        raise ValueError(f"{where}.{kind} ({name}): cannot use the path {shown(location)} ({error.strerror})") from None
    if kind == "folder" and is_file:
        raise ValueError(f"{where}.folder ({name}): {path} is a file (use file)")
    if kind == "file" and is_dir:
        raise ValueError(f"{where}.file ({name}): {path} is a folder (use folder)")
    return Source(name=name, kind=kind, location=str(path), outlet=outlet, published_between=window, infer_window=infer)


def _window(raw: Any, where: str) -> tuple[date, date] | None:
    """`published_between: [2017-01-01, 2017-06-30]`: two days, the first not after the last
    (`none`, no window, is read by the caller)."""
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 2:
        raise ValueError(
            f"{where}: expected [FIRST_DAY, LAST_DAY] such as [2017-01-01, 2017-06-30], or none, got {shown(raw)}"
        )
    days: list[date] = []
    for value in raw:
        if isinstance(value, date):
            days.append(value)
            continue
        try:
            days.append(date.fromisoformat(str(value)))
        except ValueError:
            raise ValueError(f"{where}: {shown(value)} is not a day (YYYY-MM-DD)") from None
    if days[0] > days[1]:
        raise ValueError(f"{where}: {days[0]} is after {days[1]}")
    return days[0], days[1]


def load_sources(path: str | Path) -> list[Source]:
    """The sources listed in a YAML file, in file order.

    Relative paths resolve against the file's folder. Raises ValueError naming the
    file, the entry (`sources[i]`) and the field for anything malformed.
    """
    try:
        path = _expanded(str(path))
    except ValueError as error:
        raise ValueError(f"sources file {shown(str(path))}: {error}") from None
    data = _read_yaml(path)
    if not isinstance(data, dict) or "sources" not in data:
        raise ValueError(f"{path}: expected a top-level `sources:` list")
    extra = [key for key in data if key != "sources"]
    if extra:
        raise ValueError(f"{path}: unknown top-level field {shown(extra[0])}; only `sources` is read")
    entries = data["sources"]
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: `sources` must be a non-empty list of entries")
    base = path.resolve().parent
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(entries):
        where = f"{path}: sources[{index}]"
        source = _entry(raw, where, base)
        if source.name in seen:
            raise ValueError(f"{where}.name: duplicate name {shown(source.name)} (also sources[{seen[source.name]}])")
        seen[source.name] = index
        sources.append(source)
    return sources


def source_for_input(value: str) -> Source:
    """The source a `--input` value names: an http(s) URL, an existing folder or file.

    URLs are pages (kind `url`, named by their host; one that serves a feed is read as a
    feed); folders and files are named by their last path component. Raises ValueError
    for anything else.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty input")
    if "://" in text:
        problem = _web_problem(text)
        if problem:
            raise ValueError(f"input {shown(value)}: {problem}")
        url, credentials = split_credentials(text)
        host = urlsplit(url).hostname or url
        return Source(name=host, kind="url", location=url, credentials=credentials)
    try:
        path = _expanded(text).resolve()
        is_dir, is_file = path.is_dir(), path.is_file()
    except ValueError as error:
        raise ValueError(f"input {shown(value)}: {error}") from None
    except (OSError, RuntimeError) as error:  # a name too long, a symlink loop
        why = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise ValueError(f"input {shown(value)}: cannot use the path ({why})") from None
    if is_dir:
        return Source(name=path.name or str(path), kind="folder", location=str(path))
    if is_file:
        return Source(name=path.stem or path.name, kind="file", location=str(path))
    raise ValueError(f"input {shown(value)}: no such file or folder, and not an http(s) URL")
