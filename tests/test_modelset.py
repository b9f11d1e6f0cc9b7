"""Model sets: data files only, every byte checked before anything is read, clean errors for
every way a set can be wrong, and replacements that a crash cannot leave half done."""
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import vnpolicy_nlp as vp
from vnpolicy_nlp import modelset
from vnpolicy_nlp.components import COMPONENTS, Component, Doc
from vnpolicy_nlp.modelset import BUNDLED, ModelSetError, load_component, read_set, write_model_set
from vnpolicy_nlp.pipeline import load


@pytest.fixture
def copy_of_bundled(tmp_path):
    dst = tmp_path / "set"
    shutil.copytree(BUNDLED, dst)
    return dst


def _rewrite_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _rehash(folder: Path, name: str) -> None:
    _rewrite_manifest(folder, lambda m: m["files"].__setitem__(name, modelset.sha256_file(folder / name)))


class _Boom:
    """A pickle that would leave a mark if it were ever unpickled."""

    def __init__(self, mark: str):
        self.mark = mark

    def __reduce__(self):
        return (Path.write_text, (Path(self.mark), "unpickled!"))


def test_the_bundled_set_holds_no_pickle():
    manifest = json.loads((BUNDLED / "manifest.json").read_text())
    assert manifest["format"] == modelset.FORMAT
    assert [c["name"] for c in manifest["components"]] == ["entities", "topics", "structure"]
    for p in BUNDLED.iterdir():
        data = p.read_bytes()
        assert not (data[:1] == b"\x80" and 2 <= data[1] <= 5), f"{p.name} is a pickle"
        assert p.suffix in (".json", ".md", ".crfsuite", ".npz")
    assert (BUNDLED / "entities.crfsuite").read_bytes()[:4] == b"lCRF"  # CRFsuite's own format


def test_a_flipped_byte_is_refused(copy_of_bundled):
    path = copy_of_bundled / "topics.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelSetError, match="topics.npz.*does not match the manifest"):
        load(copy_of_bundled)


def test_an_altered_manifest_hash_is_refused(copy_of_bundled):
    _rewrite_manifest(copy_of_bundled, lambda m: m["files"].__setitem__("entities.crfsuite", "0" * 64))
    with pytest.raises(ModelSetError, match="entities.crfsuite"):
        load_component(copy_of_bundled, "entities")


def test_a_missing_manifest_is_refused(copy_of_bundled):
    (copy_of_bundled / "manifest.json").unlink()
    with pytest.raises(ModelSetError, match="no manifest.json.*vnpolicy train"):
        load(copy_of_bundled)


def test_missing_sets_say_how_to_make_one(tmp_path):
    with pytest.raises(ModelSetError, match="no such model set"):
        load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelSetError, match="vnpolicy train"):
        load(tmp_path / "empty")


@pytest.mark.parametrize("manifest", [[], "set", {"format": 2, "files": [], "components": [], "versions": {}},
                                      {"format": 2, "files": {"a": "b"}, "components": [{"name": 3}], "versions": 1}])
def test_a_manifest_of_the_wrong_shape_is_a_clean_error(copy_of_bundled, manifest):
    (copy_of_bundled / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelSetError, match="manifest"):
        load(copy_of_bundled)


def test_a_damaged_manifest_names_line_and_column(copy_of_bundled):
    (copy_of_bundled / "manifest.json").write_text('{"format": 2,\n  "files": }')
    with pytest.raises(ModelSetError, match="line 2, column"):
        load(copy_of_bundled)


def test_a_planted_pickle_is_refused_and_never_unpickled(copy_of_bundled, tmp_path):
    mark = tmp_path / "ran"
    (copy_of_bundled / "extra.pkl").write_bytes(pickle.dumps(_Boom(str(mark))))
    with pytest.raises(ModelSetError, match="extra.pkl not listed in the manifest"):
        load(copy_of_bundled)
    # The same pickle in place of a component file, with the manifest re-hashed to match.
    (copy_of_bundled / "extra.pkl").unlink()
    (copy_of_bundled / "topics.npz").write_bytes(pickle.dumps(_Boom(str(mark))))
    _rehash(copy_of_bundled, "topics.npz")
    with pytest.raises(ModelSetError, match="topics.npz: a pickle"):
        load(copy_of_bundled)
    assert not mark.exists()


def test_a_pickle_inside_a_numpy_archive_is_not_loaded(copy_of_bundled, tmp_path):
    import io

    import numpy as np

    buf = io.BytesIO()
    np.savez(buf, coef=np.array([_Boom(str(tmp_path / "ran"))], dtype=object))
    (copy_of_bundled / "topics.npz").write_bytes(buf.getvalue())
    _rehash(copy_of_bundled, "topics.npz")
    with pytest.raises(ModelSetError, match="cannot read component 'topics'.*allow_pickle"):
        load(copy_of_bundled)
    assert not (tmp_path / "ran").exists()


def test_a_set_made_with_other_versions_names_them(copy_of_bundled):
    _rewrite_manifest(copy_of_bundled, lambda m: m["versions"].__setitem__("scikit-learn", "0.24.2"))
    with pytest.raises(ModelSetError, match=r"scikit-learn 0\.24\.2 \(installed: \d"):
        load(copy_of_bundled)
    _rewrite_manifest(copy_of_bundled, lambda m: m["versions"].update({"scikit-learn": vp_versions()["scikit-learn"],
                                                                       "vnpolicy-nlp": "9.1.0"}))
    with pytest.raises(ModelSetError, match=r"vnpolicy-nlp 9\.1\.0 \(installed: "):
        load(copy_of_bundled)


def vp_versions():
    return modelset.dependency_versions()


def test_a_pickle_era_set_is_refused_with_how_to_retrain(copy_of_bundled):
    _rewrite_manifest(copy_of_bundled, lambda m: m.__setitem__("format", 1))
    with pytest.raises(ModelSetError, match="format 1.*pickles.*vnpolicy train"):
        load(copy_of_bundled)


def test_components_are_built_from_the_bytes_that_were_hashed(copy_of_bundled):
    checked = read_set(copy_of_bundled)
    (copy_of_bundled / "topics.npz").write_bytes(b"swapped after the check")
    topics = checked.component("topics")  # built from the checked bytes, not re-read from disk
    assert topics.scorer.predict_topics(["Tuyển dụng công chức năm 2025"])[0].topics == ["recruitment"]


def test_no_model_set_is_an_error_naming_where_it_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(modelset, "BUNDLED", tmp_path / "repo" / "models")
    monkeypatch.setattr(modelset, "PACKAGED", tmp_path / "site" / "vnpolicy_nlp" / "bundled" / "models")
    with pytest.raises(ModelSetError, match=r"no model set found; looked in .*repo/models \(absent\).*site"):
        vp.load()
    from vnpolicy_nlp.cli import main

    page = tmp_path / "p.txt"
    page.write_text("UBND tỉnh chỉ đạo tuyển dụng.", encoding="utf-8")
    assert main(["tag", str(page)]) != 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no model set found" in captured.err


def test_a_crash_between_the_two_renames_is_recovered_on_load(copy_of_bundled, tmp_path, monkeypatch):
    new = tmp_path / "new"
    shutil.copytree(copy_of_bundled, new)
    _rewrite_manifest(new, lambda m: m.__setitem__("created", "2099-01-01T00:00:00+00:00"))
    monkeypatch.setattr(modelset, "_exchange", lambda a, b: False)  # a system without the one-step swap
    real_rename = Path.rename

    def crash_on_second(self, target):
        if Path(target) == copy_of_bundled and self.name.endswith(".staged"):
            raise KeyboardInterrupt("killed between the renames")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        modelset.replace_set(new, copy_of_bundled)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not copy_of_bundled.exists()  # the state a crash leaves
    nlp = load(copy_of_bundled)
    assert nlp.manifest["created"].startswith("2099")  # the staged set was completed
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".set.") and not p.name.endswith(".lock")]


def test_replacing_swaps_in_one_step_and_leaves_nothing_behind(copy_of_bundled, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(copy_of_bundled, new)
    _rewrite_manifest(new, lambda m: m.__setitem__("created", "2099-01-01T00:00:00+00:00"))
    modelset.replace_set(new, copy_of_bundled)
    assert load(copy_of_bundled).manifest["created"].startswith("2099")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["set"]


def test_leftover_candidates_of_dead_runs_are_cleaned(tmp_path):
    dead = tmp_path / ".candidate-999999999-abc"
    old_style = tmp_path / ".candidate-x1y2"
    alive = tmp_path / f".candidate-{os.getpid()}-def"
    for p in (dead, old_style, alive):
        (p / "set").mkdir(parents=True)
    removed = modelset.clean_leftovers(tmp_path)
    assert set(removed) == {dead, old_style} and alive.exists()


class _Broken(Component):
    name = "entities"

    def __call__(self, doc):
        return doc

    def to_files(self):
        raise RuntimeError("boom while writing")

    @classmethod
    def from_files(cls, files, config):
        return cls()

    def score(self, records):
        return {}


def test_a_failed_write_leaves_the_previous_set_loadable(copy_of_bundled):
    before = sorted(p.name for p in copy_of_bundled.iterdir())
    with pytest.raises(RuntimeError, match="boom"):
        write_model_set(copy_of_bundled, [_Broken()], {}, "card")
    assert sorted(p.name for p in copy_of_bundled.iterdir()) == before
    assert not [p for p in copy_of_bundled.parent.iterdir() if ".tmp-" in p.name]
    assert load(copy_of_bundled).topics is not None


def test_sets_are_written_readable_by_everyone_whatever_the_umask(tmp_path):
    nlp = load()
    old = os.umask(0o077)
    try:
        out = write_model_set(tmp_path / "set", nlp.components, {"created": "now"}, "card")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o644}
    assert load(out).manifest["created"] == "now"


class LengthComponent(Component):
    """A component added by registering it: counts the characters of each directive."""

    name = "length"

    def __init__(self, unit: str = "chars"):
        self.unit = unit

    def __call__(self, doc: Doc) -> Doc:
        doc.extensions["length"] = {"value": len(doc.text), "unit": self.unit}
        return doc

    def to_files(self):
        return {"length.json": json.dumps({"unit": self.unit}).encode()}

    @classmethod
    def from_files(cls, files, config):
        return cls(json.loads(files["length.json"])["unit"])

    def score(self, records):
        return {"length mean": sum(len(r["text"]) for r in records) / max(1, len(records))}


def test_a_new_component_is_added_by_registering_it(tmp_path, monkeypatch):
    monkeypatch.setitem(COMPONENTS, "length", f"{__name__}:LengthComponent")
    nlp = load()
    out = write_model_set(tmp_path / "set", [*nlp.components, LengthComponent("chars")], {"created": "now"}, "card")
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["name"] for c in manifest["components"]] == ["entities", "topics", "structure", "length"]
    rec = load(out)("Tuyển dụng công chức năm 2025")
    assert rec.to_dict()["length"] == {"value": 29, "unit": "chars"} and rec.topics == ["recruitment"]
    monkeypatch.delitem(COMPONENTS, "length")
    with pytest.raises(ModelSetError, match="component 'length' is not known"):
        load(out)


def test_markup_imports_outside_a_checkout_layout():
    """markup.py finds the taxonomy through the package, also when run as a file."""
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, str(root / "vnpolicy_nlp" / "markup.py"), "--help"], capture_output=True,
                         text=True, cwd=root.parent)
    assert out.returncode == 0, out.stderr
