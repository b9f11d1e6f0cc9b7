"""Archive jobs: parallel, resumable after kill -9, locked, Parquet, and the Dask engine."""
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vnpolicy_nlp as vp
from vnpolicy_nlp.batch import BatchError, read_output

PAGES = sorted((Path(__file__).resolve().parents[1] / "corpora" / "pages").glob("*.txt"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    for p in PAGES[:12]:
        shutil.copy(p, root / p.name)
    (root / "broken.txt").write_bytes(b"\xff\xfe\x00broken")
    (root / "empty.txt").write_bytes(b"")
    records = [{"text": "Tăng cường phòng, chống dịch sốt xuất huyết\n\nSở Y tế chủ trì giám sát.", "week": 3},
               {"text": "Tuyển dụng công chức năm 2025", "week": 4}]
    (root / "records.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records)
                                        + "\nnot json\n", encoding="utf-8")
    return root


def _key(rows):
    return sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)


@pytest.fixture(scope="module")
def reference(archive, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref")
    summary = vp.batch.run([str(archive)], out, workers=1, shard_size=2, progress=False)
    return out, summary


def test_a_batch_tags_every_page_and_lists_every_failure(archive, reference, nlp):
    out, summary = reference
    rows = list(read_output(out))
    expected = sum(len(nlp.tag_bulletin(p.read_text(encoding="utf-8"))) for p in PAGES[:12]) + 2
    assert len(rows) == expected == summary.directives
    errors = [json.loads(line) for line in (out / "_errors.jsonl").read_text(encoding="utf-8").splitlines()]
    reasons = {Path(e["path"].split(":")[0]).name: e["reason"] for e in errors}
    assert set(reasons) == {"broken.txt", "empty.txt", "records.jsonl"}
    assert "UTF-16" in reasons["broken.txt"] or "UTF-8" in reasons["broken.txt"]
    assert json.loads((out / "_manifest.json").read_text())["complete"] is True


def test_two_workers_give_the_same_records(archive, reference, tmp_path):
    vp.batch.run([str(archive)], tmp_path, workers=2, shard_size=2, progress=False)
    assert _key(read_output(tmp_path)) == _key(read_output(reference[0]))


def test_a_killed_run_resumes_to_exactly_the_same_records(archive, reference, tmp_path):
    cmd = [sys.executable, "-m", "vnpolicy_nlp.cli", "batch", str(archive), "--out", str(tmp_path),
           "--workers", "1", "--shard-size", "1", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(tmp_path.glob("shard-?????.jsonl"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "_manifest.json").exists()
    done = len(list(tmp_path.glob("shard-?????.jsonl")))
    assert 3 <= done < 15
    subprocess.run(cmd, check=False, timeout=300)
    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert manifest["summary"]["shards_skipped"] >= done - 1
    assert _key(read_output(tmp_path)) == _key(read_output(reference[0]))


def test_a_second_run_into_the_same_folder_is_refused(archive, tmp_path):
    with open(tmp_path / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BatchError, match="another batch run"):
            vp.batch.run([str(archive)], tmp_path, workers=1, progress=False)


def test_parquet_output_reads_in_pandas_with_a_stable_schema(archive, tmp_path):
    import pandas as pd
    import pyarrow.parquet as pq

    vp.batch.run([str(archive)], tmp_path, format="parquet", workers=1, shard_size=4, progress=False)
    frame = pd.concat([pd.read_parquet(p) for p in sorted(tmp_path.glob("shard-*.parquet"))])
    assert len(frame) == json.loads((tmp_path / "_manifest.json").read_text())["summary"]["directives"]
    schemas = {str(pq.read_schema(p)) for p in tmp_path.glob("shard-*.parquet")}
    assert len(schemas) == 1
    first = frame.iloc[0]
    assert {"label", "start", "end", "text", "attrs"} <= set(first["entities"][0])
    assert frame["week_start"].notna().any()
    import duckdb
    import polars as pl

    pattern = str(tmp_path / "shard-*.parquet")
    assert pl.read_parquet(pattern).height == len(frame)
    n_docs = duckdb.sql(f"select count(*) from (select unnest(entities) as e from read_parquet('{pattern}')) "
                        "where e.label = 'DOC_NUMBER'").fetchall()[0][0]
    assert n_docs == sum(e["label"] == "DOC_NUMBER" for ents in frame["entities"] for e in ents)


def test_the_dask_engine_gives_the_same_records(archive, reference, tmp_path):
    pytest.importorskip("distributed")
    vp.batch.run([str(archive)], tmp_path, engine="dask", workers=1, shard_size=4, progress=False)
    assert _key(read_output(tmp_path)) == _key(read_output(reference[0]))


def test_a_missing_input_is_listed_and_the_rest_is_tagged(archive, tmp_path):
    summary = vp.batch.run([str(archive / "records.jsonl"), str(tmp_path / "nope.txt")], tmp_path / "out",
                           workers=1, progress=False)
    errors = (tmp_path / "out" / "_errors.jsonl").read_text(encoding="utf-8")
    assert "nope.txt" in errors and "no such file" in errors
    assert summary.directives == 2


def test_other_settings_into_the_same_folder_are_refused(archive, reference, tmp_path):
    with pytest.raises(BatchError, match="other inputs or settings"):
        vp.batch.run([str(archive)], reference[0], workers=1, shard_size=2, format="parquet", progress=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(BatchError, match="is a file"):
        vp.batch.run([str(archive)], tmp_path / "file", workers=1, progress=False)


def test_the_run_pins_its_model_set_and_a_resume_with_another_is_refused(archive, reference, tmp_path):
    from vnpolicy_nlp.modelset import BUNDLED, read_set

    out, summary = reference
    pinned = read_set(BUNDLED).sha256
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["model_set"]["sha256"] == pinned == summary.model_set["sha256"]
    assert json.loads((out / "_plan.json").read_text())["model_set"]["sha256"] == pinned
    other = tmp_path / "other-set"
    shutil.copytree(BUNDLED, other)
    m = json.loads((other / "manifest.json").read_text())
    m["created"] = "2099-01-01T00:00:00+00:00"  # same files, another set: another hash
    (other / "manifest.json").write_text(json.dumps(m))
    pages = tmp_path / "pages"
    pages.mkdir()
    for p in PAGES[:2]:
        shutil.copy(p, pages / p.name)
    first = tmp_path / "out"
    vp.batch.run([str(pages)], first, workers=1, shard_size=1, progress=False)
    (first / "shard-00001.jsonl").unlink()  # as if the run had stopped before its last shard
    (first / "_manifest.json").unlink()
    with pytest.raises(BatchError, match=r"was started with model set [0-9a-f]{12}….*would use model set"):
        vp.batch.run([str(pages)], first, workers=1, shard_size=1, model=str(other), progress=False)
    resumed = vp.batch.run([str(pages)], first, workers=1, shard_size=1, progress=False)
    assert resumed.shards_skipped == 1 and resumed.model_set["sha256"] == pinned


def test_a_worker_refuses_a_set_that_changed_under_it(tmp_path):
    from vnpolicy_nlp.batch import plan_shards, tag_shard

    shard = plan_shards([str(PAGES[0])])[0]
    with pytest.raises(BatchError, match="model set changed during the run"):
        tag_shard(shard, str(tmp_path), "jsonl", None, model_hash="0" * 64)
    assert not list(tmp_path.glob("shard-*"))


def test_the_dask_engine_without_the_extra_says_how_to_install_it(archive, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    with pytest.raises(BatchError, match=r"pip install 'vnpolicy-nlp\[dask\]'"):
        vp.batch.run([str(archive)], tmp_path, engine="dask", workers=1, progress=False)
