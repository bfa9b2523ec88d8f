"""Where documents come from: the sources file (YAML) and `--input` values.

A source is a local folder or file, one web page (`url`) or an RSS/Atom feed (`feed`).
The file shape is documented at the top of the repository's `sources.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import yaml

SourceKind = Literal["folder", "file", "url", "feed"]
KINDS: tuple[SourceKind, ...] = get_args(SourceKind)
WEB_KINDS: tuple[SourceKind, ...] = ("url", "feed")  # fetched over HTTP into the raw archive


def is_web_address(value: str) -> bool:
    """Whether `value` names a web page (http or https) rather than a local path."""
    return value.lower().startswith(("http://", "https://"))


_OPTIONAL_FIELDS = ("outlet",)


@dataclass(frozen=True, slots=True)
class Source:
    """One place to read documents from; `name` is unique within a sources file."""

    name: str
    kind: SourceKind
    location: str  # absolute path for folder/file, http(s) URL for url/feed
    outlet: str | None = None  # overrides/gives the outlet for documents of this source


def _web_problem(value: str) -> str | None:
    """Why `value` is not an http(s) URL with a host, or None when it is one."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        return f"must be an http(s) URL, got {value!r}"
    if not parts.hostname:
        return f"URL has no host: {value!r}"
    return None


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
            f"{where}: unknown field {unknown[0]!r}; an entry has `name`, optional `outlet` "
            f"and exactly one of {', '.join(KINDS)}"
        )
    if "name" not in raw:
        raise ValueError(f"{where}.name: missing")
    name = _text(raw["name"])
    if name is None:
        raise ValueError(f"{where}.name: must be non-empty text, got {raw['name']!r}")
    kinds = [kind for kind in KINDS if kind in raw]
    if not kinds:
        raise ValueError(f"{where} ({name}): missing location; give one of {', '.join(KINDS)}")
    if len(kinds) > 1:
        raise ValueError(f"{where} ({name}): has {' and '.join(kinds)}; give only one of {', '.join(KINDS)}")
    kind = kinds[0]
    location = _text(raw[kind])
    if location is None:
        raise ValueError(f"{where}.{kind} ({name}): must be a non-empty path or URL, got {raw[kind]!r}")
    outlet = None
    if raw.get("outlet") is not None:  # `outlet:` left empty means none
        outlet = _text(raw["outlet"])
        if outlet is None:
            raise ValueError(f"{where}.outlet ({name}): must be non-empty text, got {raw['outlet']!r}")
    if kind in ("url", "feed"):
        problem = _web_problem(location)
        if problem:
            raise ValueError(f"{where}.{kind} ({name}): {problem}")
        return Source(name=name, kind=kind, location=location, outlet=outlet)
    if "://" in location:
        raise ValueError(f"{where}.{kind} ({name}): expected a path, got the URL {location!r} (use url or feed)")
    path = (base / Path(location).expanduser()).resolve()
    # A missing path is not an error here: the run reports it, like a missing --input.
    if kind == "folder" and path.is_file():
        raise ValueError(f"{where}.folder ({name}): {path} is a file (use file)")
    if kind == "file" and path.is_dir():
        raise ValueError(f"{where}.file ({name}): {path} is a folder (use folder)")
    return Source(name=name, kind=kind, location=str(path), outlet=outlet)


def load_sources(path: str | Path) -> list[Source]:
    """The sources listed in a YAML file, in file order.

    Relative paths resolve against the file's folder. Raises ValueError naming the
    file, the entry (`sources[i]`) and the field for anything malformed.
    """
    path = Path(path).expanduser()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"{path}: cannot read the sources file ({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or "sources" not in data:
        raise ValueError(f"{path}: expected a top-level `sources:` list")
    extra = [key for key in data if key != "sources"]
    if extra:
        raise ValueError(f"{path}: unknown top-level field {extra[0]!r}; only `sources` is read")
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
            raise ValueError(f"{where}.name: duplicate name {source.name!r} (also sources[{seen[source.name]}])")
        seen[source.name] = index
        sources.append(source)
    return sources


def source_for_input(value: str) -> Source:
    """The source a `--input` value names: an http(s) URL, an existing folder or file.

    URLs are single pages (kind `url`, named by their host); folders and files are
    named by their last path component. Raises ValueError for anything else.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty input")
    if "://" in text:
        problem = _web_problem(text)
        if problem:
            raise ValueError(f"input {value!r}: {problem}")
        host = urlsplit(text).hostname or text
        return Source(name=host, kind="url", location=text)
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        return Source(name=path.name or str(path), kind="folder", location=str(path))
    if path.is_file():
        return Source(name=path.stem or path.name, kind="file", location=str(path))
    raise ValueError(f"input {value!r}: no such file or folder, and not an http(s) URL")
