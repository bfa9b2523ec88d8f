"""The package installs: the lock agrees with pyproject.toml, and `pip install .` into a
fresh environment gives a `solieu` that runs."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = (REPO / "requirements.lock").read_text(encoding="utf-8")


def _declared() -> list[Requirement]:
    project = PYPROJECT["project"]
    return [Requirement(text) for text in [*project["dependencies"], *project["optional-dependencies"]["dev"]]]


def _pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if found:
            pins[canonicalize_name(found[1])] = found[2]
    return pins


def _locked_for_the_project() -> set[str]:
    """Names the lock says it holds because pyproject.toml asks for them (pip-compile's
    `# via solieu (pyproject.toml)` annotations)."""
    names, current = set(), None
    for line in LOCK.splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-]+)==", line)
        if found:
            current = canonicalize_name(found[1])
        elif current and "solieu (pyproject.toml)" in line:
            names.add(current)
    return names


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is declared in pyproject.toml but not in requirements.lock: make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {requirement}: make lock"
        )


def test_the_lock_holds_nothing_for_the_project_that_it_no_longer_declares() -> None:
    declared = {canonicalize_name(r.name) for r in _declared()}
    assert _locked_for_the_project() == declared, "requirements.lock is stale: make lock"


def test_the_lock_is_compiled_from_pyproject() -> None:
    assert "pip-compile" in LOCK and "pyproject.toml" in LOCK.split("\n\n", 1)[0]


def test_prefect_is_one_whose_schedules_fire() -> None:
    """3.8.8's scheduler fails on SQLAlchemy 2.1 (tests/test_live_schedule.py shows 3.9's firing)."""
    assert _pins()["prefect"].startswith("3.9.")


def test_tools_is_not_an_installed_package() -> None:
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    assert not any(pattern.startswith("tools") for pattern in packages)


@pytest.mark.install
def test_pip_install_gives_a_solieu_that_runs(tmp_path: Path) -> None:
    """`pip install .` (the lock as constraints, as a user pinning would) into a new
    virtual environment, then the README's commands from outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = subprocess.run(
        [*pip, "--no-compile", "-c", str(REPO / "requirements.lock"), str(REPO)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    solieu = str(venv / "bin" / "solieu")
    away = tmp_path / "elsewhere"  # not the checkout: nothing may come from its folders
    away.mkdir()

    helped = subprocess.run([solieu, "run", "--help"], cwd=away, capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "--input" in helped.stdout, helped.stderr[-2000:]

    corpus = away / "corpus"
    corpus.mkdir()
    for article in sorted((REPO / "data" / "raw").glob("*.txt")):
        (corpus / article.name).write_bytes(article.read_bytes())
    environment = {"PATH": str(venv / "bin") + ":/usr/bin:/bin", "HOME": str(tmp_path), "DO_NOT_TRACK": "1"}
    environment |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "GX_ANALYTICS_ENABLED": "false"}
    environment |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    ran = subprocess.run(
        [solieu, "run", "--input", "corpus", "--output", "tables"],
        cwd=away,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, (ran.stdout[-2000:], ran.stderr[-3000:])
    assert "validation:       passed" in ran.stdout
    assert (away / "tables" / "figures").exists()

    python = str(venv / "bin" / "python")
    for module in ("tools", "tests"):
        found = subprocess.run(
            [python, "-c", f"import importlib.util; print(importlib.util.find_spec({module!r}))"],
            cwd=away,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert found.stdout.strip() == "None", f"{module} is installed as a top-level package"
