"""`make run`: what a new user's first command installs and prints."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _plan(target: str, venv: Path) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return subprocess.run(["make", "-n", target, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_make_run_installs_the_library_without_the_test_extras(tmp_path):
    plan = _plan("run", tmp_path / "venv")
    installs = [line for line in plan.splitlines() if "pip install" in line]
    assert installs and all("[test]" not in line for line in installs)
    assert "-e '.'" in installs[0] and "--quiet" in installs[0] and "install.log" in installs[0]
    assert "vnpolicy tag --format table corpora/pages/example.txt" in plan


def test_make_test_installs_the_test_extras(tmp_path):
    plan = _plan("test", tmp_path / "venv")
    assert "-e '.[test,dask]'" in plan and "-c constraints.txt" in plan and "pytest" in plan


def test_make_run_prints_a_summary_that_fits_a_terminal():
    """The command make run ends with, on the bundled page: 100 columns, words a person reads."""
    from vnpolicy_nlp.cli import main
    import io
    import contextlib

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["tag", "--format", "table", str(ROOT / "corpora" / "pages" / "example.txt")]) == 0
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "weekly bulletin 2022-02-21 to 2022-02-27" in lines[0]
    assert any(line.startswith("Found: ") and "agencies" in line for line in lines)
    assert not any(header in out.getvalue() for header in (" AG ", " LOC ", " OFF ", " DOC "))
