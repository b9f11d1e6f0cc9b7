"""The tutorials: they run headless from notebooks/ or from the repository root, use only the
public API, clean up after themselves, and are stored with their outputs for readers."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIGURES = {"01_quickstart.ipynb": ["quickstart_entities.html"],
           "02_retrain_a_week.ipynb": [],
           "03_archive_trends.ipynb": ["topics_per_quarter.png", "lead_agencies.png"],
           "04_deadlines.ipynb": ["deadline_days.png"]}


def _execute(path: Path, cwd: Path, tmp_path: Path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    out, scratch = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    scratch.mkdir()
    monkeypatch.setenv("VNPOLICY_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TMPDIR", str(scratch))  # the kernel's temporary folders land here
    before = sorted(p.name for p in (ROOT / "notebooks").iterdir())
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()  # a failed assertion in any cell fails here, naming the cell
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    for name in FIGURES[path.name]:
        figure = out / name
        assert figure.exists() and figure.stat().st_size > (5_000 if name.endswith(".png") else 1_000), name
    left = [p.name for p in scratch.iterdir() if p.name.startswith("vnpolicy-")]
    assert left == [], f"temporary folders left behind: {left}"
    assert sorted(p.name for p in (ROOT / "notebooks").iterdir()) == before, "files left in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_from_the_notebooks_folder(path, tmp_path, monkeypatch):
    _execute(path, path.parent, tmp_path, monkeypatch)


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name != "02_retrain_a_week.ipynb"], ids=lambda p: p.name)
def test_notebook_runs_from_the_repository_root(path, tmp_path, monkeypatch):
    """(02 retrains for a minute and finds its paths the same way, so it runs once, above.)"""
    _execute(path, ROOT, tmp_path, monkeypatch)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_a_tutorial_stored_with_its_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    prose = [c for c in cells if c["cell_type"] == "markdown"]
    assert len(prose) >= len(code), "every step is explained"
    assert sum(len("".join(c["source"]).split()) for c in prose) > 250
    assert all(c["execution_count"] for c in code), "stored executed"
    kinds = {k for c in code for o in c["outputs"] for k in o.get("data", {})}
    assert "text/html" in kinds  # tables
    assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    source = "\n".join("".join(c["source"]) for c in code)
    internal = re.findall(r"from vnpolicy_nlp[.\w]* import|import vnpolicy_nlp\.\w+|vnpolicy_nlp\.\w+", source)
    assert internal == [], "only the public API (import vnpolicy_nlp as vp)"


def test_stored_outputs_show_the_displacy_view_and_the_plots():
    def outputs(name):
        cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
        return [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]

    from vnpolicy_nlp.colors import DISPLACY_COLORS

    html = "".join("".join(o["data"]["text/html"]) for o in outputs("01_quickstart.ipynb")
                   if "text/html" in o.get("data", {}))
    assert 'class="entity"' in html and DISPLACY_COLORS["AGENCY"] in html and DISPLACY_COLORS["DOC_NUMBER"] in html
    assert sum("image/png" in o.get("data", {}) for o in outputs("03_archive_trends.ipynb")) == 2
    assert sum("image/png" in o.get("data", {}) for o in outputs("01_quickstart.ipynb")) == 1
