"""The benchmark's verdict on issue 4's targets (`tools/bench.py`)."""

from __future__ import annotations

from tools.bench import targets

PRINTED_FULL = "documents read:   1000 (extracted 1000, reused 0)\nrejected: 8"
PRINTED_NOTHING_NEW = "documents read:   1000 (extracted 0, reused 992)\nrejected: 8"
PRINTED_ADDED = "documents read:   1100 (extracted 100, reused 992)\nrejected: 8"


def _result(mb_per_s: float, flow_seconds: float, peak_mib: float, rerun_seconds: float) -> dict:
    return {
        "extraction": {"mb_per_s": mb_per_s},
        "flow": {
            "seconds": flow_seconds,
            "peak_rss_mib": peak_mib,
            "documents": 1000,
            "rows": {"articles": 992, "rejects": 8},
            "printed": PRINTED_FULL,
        },
        "rerun_unchanged": {"seconds": rerun_seconds, "printed": PRINTED_NOTHING_NEW},
        "rerun_added": {"added": 100, "printed": PRINTED_ADDED},
    }


def test_all_targets_met() -> None:
    verdict = dict(targets(_result(3.5, 70, 1450, 13)))
    assert len(verdict) == 7
    assert all(verdict.values()), verdict


def test_each_missed_target_is_named() -> None:
    verdict = dict(targets(_result(2.9, 121, 2049, 21)))
    missed = {name for name, met in verdict.items() if not met}
    assert missed == {
        "extraction >= 3 MB/s",
        "whole flow <= 120 s",
        "peak memory <= 2048 MiB",
        "rerun with nothing new <= 20 s",
    }


def test_a_rerun_that_extracts_again_misses() -> None:
    result = _result(3.5, 70, 1450, 13)
    result["rerun_unchanged"]["printed"] = PRINTED_FULL
    result["flow"]["rows"]["articles"] = 990  # two documents neither articles nor rejects
    missed = {name for name, met in targets(result) if not met}
    assert missed == {"rerun with nothing new extracts nothing", "every document is an article or a reject"}


def test_extraction_alone_when_the_flow_was_skipped() -> None:
    assert targets({"extraction": {"mb_per_s": 3.1}}) == [("extraction >= 3 MB/s", True)]
