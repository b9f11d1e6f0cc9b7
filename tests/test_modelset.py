"""Model sets: hashes checked before unpickling, writes that never leave half a set."""
import json
import shutil

import pytest

from vnpolicy_nlp.modelset import BUNDLED, ModelSetError, load_component, write_model_set
from vnpolicy_nlp.pipeline import load


@pytest.fixture
def copy_of_bundled(tmp_path):
    dst = tmp_path / "set"
    shutil.copytree(BUNDLED, dst)
    return dst


def test_a_truncated_file_is_refused(copy_of_bundled):
    path = copy_of_bundled / "topics.joblib"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ModelSetError, match="topics.joblib.*does not match the manifest"):
        load(copy_of_bundled)


def test_an_altered_manifest_hash_is_refused(copy_of_bundled):
    manifest = json.loads((copy_of_bundled / "manifest.json").read_text())
    manifest["files"]["entities.joblib"] = "0" * 64
    (copy_of_bundled / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelSetError, match="entities.joblib"):
        load_component(copy_of_bundled, "entities")


def test_missing_sets_say_how_to_make_one(tmp_path):
    with pytest.raises(ModelSetError, match="no such model set"):
        load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelSetError, match="vnpolicy train"):
        load(tmp_path / "empty")


class _Unpicklable:
    def __reduce__(self):
        raise RuntimeError("boom while writing")


def test_a_failed_write_leaves_the_previous_set_loadable(copy_of_bundled):
    before = sorted(p.name for p in copy_of_bundled.iterdir())
    with pytest.raises(RuntimeError, match="boom"):
        write_model_set(copy_of_bundled, {"entities": _Unpicklable()}, {}, "card")
    assert sorted(p.name for p in copy_of_bundled.iterdir()) == before
    assert not [p for p in copy_of_bundled.parent.iterdir() if ".tmp-" in p.name]
    assert load(copy_of_bundled).topics is not None
