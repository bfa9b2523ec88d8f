"""`make eval`: run the refresh flow on the shared gold corpora and score the tables.

For each gold file (`seeds`, `dev`) it runs the flow into a temporary folder and
prints `../shared/eval/score.py`'s report. `--details` adds every miss and extra.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

GOLD_SETS = ("seeds", "dev")


def run_and_score(shared: Path, name: str, workdir: Path, details: bool) -> str:
    from flows.refresh import refresh

    output = workdir / name / "tables"
    refresh(
        inputs=[str(shared / "corpus" / name)], output=str(output), validation_dir=str(workdir / name / "validation")
    )
    command = [sys.executable, str(shared / "eval" / "score.py"), str(shared / "gold" / f"{name}.json"), str(output)]
    if details:
        command.append("--details")
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--only", choices=GOLD_SETS, action="append")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "score.py").exists():
        print(f"eval: {args.shared} has no eval/score.py; put ../shared beside the checkout", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="solieu-eval-") as tmp:
        for name in args.only or GOLD_SETS:
            print(f"=== {name} ({args.shared / 'gold' / (name + '.json')})")
            print(run_and_score(args.shared, name, Path(tmp), args.details), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
