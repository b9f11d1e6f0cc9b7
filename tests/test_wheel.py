"""The wheel is the library: built from the checkout, installed offline into a fresh virtual
environment, it carries the model set and the taxonomy and tags a page from anywhere."""
import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "corpora" / "pages" / "example.txt"

pytestmark = pytest.mark.wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, bin folder, work folder) of a fresh venv with only the built wheel installed in it;
    its dependencies come from this test environment (no index is reached)."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    # sdist first, then the wheel from it: what a release does, and nothing is written into the checkout
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, text=True)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # The test environment's packages, after the venv's own (editable .pth files there are not run).
    Path(purelib, "test-env-packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    wheel = next(dist.glob("vnpolicy_nlp-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--quiet",
                    str(wheel)], check=True, capture_output=True, text=True)
    work = tmp / "elsewhere"
    work.mkdir()
    return python, venv / "bin", work, wheel, dist


def _run(args, work, **kw):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=300, **kw)


def test_the_wheel_and_sdist_carry_the_models_and_the_taxonomy(installed):
    *_, wheel, dist = installed
    names = zipfile.ZipFile(wheel).namelist()
    models = {Path(n).name for n in names if n.startswith("vnpolicy_nlp/bundled/models/")}
    assert models == {p.name for p in (ROOT / "models").iterdir()}
    assert "vnpolicy_nlp/bundled/taxonomy.json" in names
    assert not [n for n in names if n.endswith((".pkl", ".joblib"))]
    sdist = next(dist.glob("vnpolicy_nlp-*.tar.gz"))
    import tarfile

    with tarfile.open(sdist) as tar:
        members = {Path(m).name for m in tar.getnames()}
    assert {"manifest.json", "topics.npz", "entities.crfsuite", "taxonomy.json", "setup.py"} <= members


def test_an_installed_wheel_tags_a_page_from_outside_the_checkout(installed):
    python, _, work, *_ = installed
    code = f"""
import json, vnpolicy_nlp as vp, vnpolicy_nlp.markup as markup
from vnpolicy_nlp import modelset
nlp = vp.load()
recs = nlp.tag_bulletin(open({str(PAGE)!r}, encoding="utf-8").read())
print(json.dumps({{"file": vp.__file__, "models": str(nlp.model_dir), "bundled": str(modelset.BUNDLED),
                  "labels": list(markup.TOPIC_LABELS), "n": len(recs),
                  "topics": [r.topics for r in recs], "entities": sum(len(r.entities) for r in recs)}}))
"""
    out = _run([str(python), "-c", code], work)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    site_dir = str(python.parent.parent)
    assert got["file"].startswith(site_dir) and got["models"].startswith(site_dir), got
    assert got["models"].endswith("vnpolicy_nlp/bundled/models") and got["models"] == got["bundled"]
    assert "disaster_response" in got["labels"]
    assert got["n"] >= 3 and got["entities"] > 0 and any(got["topics"])


def test_the_installed_command_tags_and_refuses_to_run_without_models(installed, tmp_path):
    python, bindir, work, *_ = installed
    page = work / "week.txt"
    page.write_bytes(PAGE.read_bytes())
    out = _run([str(bindir / "vnpolicy"), "tag", "week.txt"], work)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    topics = json.loads((ROOT / "corpora" / "taxonomy.json").read_text(encoding="utf-8"))["topics"]
    assert rows and all(set(r["topic_scores"]) == {t["label"] for t in topics} for r in rows)
    assert any(r["topics"] for r in rows) and any(r["entities"] for r in rows)
    empty = tmp_path / "no-models"
    empty.mkdir()
    out = _run([str(bindir / "vnpolicy"), "tag", "--model", str(empty), "week.txt"], work)
    assert out.returncode != 0 and out.stdout == "" and "not a model set" in out.stderr
