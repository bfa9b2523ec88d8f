"""`tools/published_corpus.py` (printed by `make eval`) on a small tar written here: the
figures by each article's own evidence, then as one source within its implied window,
split into what the articles' own text dates and what the window alone does."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from tools.published_corpus import CRAWL_YEAR, corpus_report


def _tar(path: Path, texts: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in texts.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"data/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_the_report_splits_the_dates_a_text_gives_from_the_windows(tmp_path) -> None:
    y = CRAWL_YEAR
    texts = {  # each dates itself: today's day with its year
        f"dated{i:02d}.txt": f"Công an bắt {i + 2} đối tượng\nSáng nay ({i + 1}/3/{y}), Công an bắt {i + 2} người.\n"
        for i in range(14)
    }
    texts["named.txt"] = f"Đội tuyển tập luyện\nCác vận động viên chuẩn bị cho SEA Games {y} tại Hà Nội.\n"
    texts["older.txt"] = "Xử phạt chủ quán\nQuán này từng bị nhắc nhở từ năm 2012.\n"
    report = corpus_report(_tar(tmp_path / "c.tar.gz", texts), None, workers=1)
    own, _, as_one = report.partition("read as one source")
    assert "given a published date 14 (87.5% of all)" in own  # alone, SEA Games names no year of writing
    assert "window_year" in as_one
    assert f"dated by their own text within the window: 15 of 16 (93.8% of all), in {y} 100.0%" in as_one
    assert "given the window's date alone (no evidence of their own): 1 (6.2%)" in as_one
