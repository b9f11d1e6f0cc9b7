"""The researcher walkthroughs run headless; their figures are written and not empty."""
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_writes_its_figures(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("VNPOLICY_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # a failed assertion in any cell fails here, naming the cell
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    expected = {"01_quickstart.ipynb": ["quickstart_entities.html"],
                "02_retrain_a_week.ipynb": [],
                "03_archive_trends.ipynb": ["topics_per_quarter.png", "lead_agencies.png"],
                "04_deadlines.ipynb": ["deadline_days.png"]}[path.name]
    for name in expected:
        figure = tmp_path / name
        assert figure.exists() and figure.stat().st_size > (5_000 if name.endswith(".png") else 1_000), name
