"""The sources file (YAML) and `--input` values as `Source`s."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.sources import Source, load_sources, source_for_input

REPO = Path(__file__).parents[1]


def _write(folder: Path, text: str, name: str = "sources.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_kind_in_file_order(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "001.txt").write_text("x", encoding="utf-8")
    path = _write(
        tmp_path,
        """
sources:
  - name: sample-corpus
    folder: raw
  - name: cong-an-nam-lam
    feed: https://congan.namlam.example.vn/rss/an-ninh.rss
    outlet: Công an tỉnh Nam Lâm
  - name: one-article
    url: http://thoisu.example.vn/phap-luat/bai-viet-123.htm
  - name: single-file
    file: raw/001.txt
    outlet:
""",
    )
    assert load_sources(path) == [
        Source("sample-corpus", "folder", str(tmp_path / "raw")),
        Source("cong-an-nam-lam", "feed", "https://congan.namlam.example.vn/rss/an-ninh.rss", "Công an tỉnh Nam Lâm"),
        Source("one-article", "url", "http://thoisu.example.vn/phap-luat/bai-viet-123.htm"),
        Source("single-file", "file", str(tmp_path / "raw" / "001.txt")),
    ]


def test_relative_paths_resolve_against_the_files_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.mkdir()
    path = _write(config, "sources:\n  - name: a\n    folder: ../data/raw\n  - name: b\n    folder: /srv/news\n")
    monkeypatch.chdir(REPO)  # not the file's folder: the working directory must not matter
    sources = load_sources(str(path))
    assert sources[0].location == str(tmp_path / "data" / "raw")  # missing folders are the run's to report
    assert sources[1].location == str(Path("/srv/news").resolve())


def test_the_repository_sources_file_lists_the_sample_corpus() -> None:
    assert load_sources(REPO / "sources.yaml") == [Source("sample-corpus", "folder", str(REPO / "data" / "raw"))]


def test_a_source_declares_its_publication_window(tmp_path: Path) -> None:
    text = "sources:\n  - name: archive\n    folder: raw\n    published_between: [2017-01-01, '2017-06-30']\n"
    path = _write(tmp_path, text)
    [source] = load_sources(path)
    assert source.published_between == (date(2017, 1, 1), date(2017, 6, 30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sources:\n  - name: a\n    rss: https://x.vn/a.rss\n", ["sources[0]", "unknown field 'rss'", "feed"]),
        ("sources:\n  - folder: raw\n", ["sources[0].name", "missing"]),
        ("sources:\n  - name: '  '\n    folder: raw\n", ["sources[0].name", "non-empty"]),
        ("sources:\n  - name: 2025\n    folder: raw\n", ["sources[0].name", "text"]),
        (
            "sources:\n  - name: a\n    outlet: X\n",
            ["sources[0]", "(a)", "missing location", "folder, file, url, feed"],
        ),
        ("sources:\n  - name: a\n    folder: raw\n    url: https://x.vn/\n", ["sources[0]", "folder and url"]),
        ("sources:\n  - name: a\n    folder:\n", ["sources[0].folder", "non-empty path or URL"]),
        ("sources:\n  - name: a\n    folder: raw\n  - name: a\n    file: b.txt\n", ["sources[1].name", "duplicate"]),
        ("sources:\n  - name: a\n    feed: ftp://x.vn/a.rss\n", ["sources[0].feed", "http(s) URL", "ftp://"]),
        ("sources:\n  - name: a\n    url: raw/page.html\n", ["sources[0].url", "http(s) URL"]),
        ("sources:\n  - name: a\n    url: https:///bai-viet.html\n", ["sources[0].url", "no host"]),
        ("sources:\n  - name: a\n    folder: https://x.vn/raw\n", ["sources[0].folder", "use url or feed"]),
        ("sources:\n  - name: a\n    folder: raw\n    outlet: [1, 2]\n", ["sources[0].outlet", "text"]),
        ("sources:\n  - name: a\n    folder: here.txt\n", ["sources[0].folder", "is a file (use file)"]),
        (
            "sources:\n  - name: a\n    folder: raw\n    published_between: 2017\n",
            ["sources[0].published_between (a)", "[FIRST_DAY, LAST_DAY]"],
        ),
        (
            "sources:\n  - name: a\n    folder: raw\n    published_between: [2017-01-01, soon]\n",
            ["sources[0].published_between (a)", "'soon' is not a day"],
        ),
        (
            "sources:\n  - name: a\n    folder: raw\n    published_between: [2017-06-30, 2017-01-01]\n",
            ["sources[0].published_between (a)", "2017-06-30 is after 2017-01-01"],
        ),
        ("sources:\n  - name: a\n    file: .\n", ["sources[0].file", "is a folder (use folder)"]),
        ("sources:\n  - https://x.vn/a.rss\n", ["sources[0]", "expected a mapping"]),
        ("sources:\n", ["`sources` must be a non-empty list"]),
        ("sources: raw\n", ["`sources` must be a non-empty list"]),
        ("- name: a\n  folder: raw\n", ["top-level `sources:` list"]),
        ("sources:\n  - name: a\n    folder: raw\ndefaults: {}\n", ["unknown top-level field 'defaults'"]),
        ("sources:\n  - name: a\n   folder: raw\n", ["not valid YAML"]),
    ],
)
def test_bad_files_name_the_file_entry_and_field(tmp_path: Path, text: str, expected: list[str]) -> None:
    (tmp_path / "here.txt").write_text("x", encoding="utf-8")
    path = _write(tmp_path, text)
    with pytest.raises(ValueError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in expected:
        assert fragment in message


def test_a_missing_or_undecodable_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read the sources file"):
        load_sources(tmp_path / "absent.yaml")
    path = tmp_path / "latin1.yaml"
    path.write_bytes("sources:\n  - name: caf\xe9\n    folder: raw\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        load_sources(path)


def test_source_for_input_url_folder_and_file(tmp_path: Path) -> None:
    page = "https://Thoisu.example.vn/phap-luat/bai-viet-123.htm?utm=rss"
    assert source_for_input(page) == Source("thoisu.example.vn", "url", page)
    folder = tmp_path / "tin-2025"
    folder.mkdir()
    (folder / "001_an-ninh.txt").write_text("x", encoding="utf-8")
    assert source_for_input(str(folder)) == Source("tin-2025", "folder", str(folder))
    assert source_for_input(str(folder / "001_an-ninh.txt")) == Source(
        "001_an-ninh", "file", str(folder / "001_an-ninh.txt")
    )


def test_source_for_input_resolves_relative_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert source_for_input("data/raw") == Source("raw", "folder", str(REPO / "data" / "raw"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ftp://x.vn/tin.txt", "http(s) URL"),
        ("https://", "no host"),
        ("", "empty input"),
        ("no/such/folder", "no such file or folder"),
    ],
)
def test_source_for_input_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        source_for_input(value)
