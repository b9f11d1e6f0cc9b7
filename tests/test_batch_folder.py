"""A batch output folder opens as a table in pandas, polars, DuckDB and Arrow, as it is, and
``vp.to_frame`` takes its Parquet rows as well as its JSONL records."""
import json
import os
import shutil
from pathlib import Path

import pytest

import vnpolicy_nlp as vp
from vnpolicy_nlp.batch import read_output

PAGES = sorted((Path(__file__).resolve().parents[1] / "corpora" / "pages").glob("*.txt"))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    for p in PAGES[:4]:
        shutil.copy(p, root / p.name)
    (root / "empty.txt").write_bytes(b"")  # so the folder has an error file too
    (root / "records.jsonl").write_text(json.dumps({"text": "Phòng chống dịch sốt xuất huyết\n\nUBND tỉnh giao Sở Y tế "
                                                            "chủ trì, báo cáo trước ngày 10/9/2025.",
                                                    "date": "2025-08-20"}, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def parquet_folder(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("tagged-parquet")
    summary = vp.batch.run([str(inputs)], out, format="parquet", workers=1, shard_size=2, progress=False)
    assert summary.errors == 1 and len(list(out.glob("shard-*.parquet"))) >= 2
    return out, summary


@pytest.fixture(scope="module")
def jsonl_folder(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("tagged-jsonl")
    vp.batch.run([str(inputs)], out, format="jsonl", workers=1, shard_size=2, progress=False)
    return out


def test_only_the_shards_have_plain_names(parquet_folder):
    out, _ = parquet_folder
    plain = sorted(p.name for p in out.iterdir() if p.name[0] not in "._")
    assert plain and all(name.startswith("shard-") and name.endswith(".parquet") for name in plain)
    assert {"_manifest.json", "_plan.json", "_errors.jsonl", ".lock"} <= {p.name for p in out.iterdir()}


def test_pandas_and_arrow_read_the_folder_as_it_is(parquet_folder):
    import pandas as pd
    import pyarrow.dataset as ds

    out, summary = parquet_folder
    frame = pd.read_parquet(out)
    assert len(frame) == summary.directives
    assert ds.dataset(out, format="parquet").count_rows() == summary.directives


def test_duckdb_reads_the_folder_and_polars_its_shards(parquet_folder):
    import duckdb
    import polars as pl

    out, summary = parquet_folder
    assert duckdb.sql(f"select count(*) from read_parquet('{out}')").fetchall()[0][0] == summary.directives
    assert pl.read_parquet(f"{out}/*.parquet").height == summary.directives
    # polars lists every file of a folder; told which prefixes are hidden, it reads the folder itself
    assert pl.scan_parquet(out, hidden_file_prefix=["_", "."]).collect().height == summary.directives


def _comparable(frame):
    return frame.sort_values(["source", "index"]).reset_index(drop=True).astype(str)


@pytest.mark.parametrize("kind", ["directives", "entities", "assignments"])
def test_to_frame_gives_the_same_table_from_parquet_and_from_jsonl(parquet_folder, jsonl_folder, kind):
    import pandas as pd
    import pyarrow.parquet as pq

    options = {"directives": {}, "entities": {"entities": True}, "assignments": {"assignments": True}}[kind]
    from_jsonl = vp.to_frame(list(read_output(jsonl_folder)), **options)
    out, _ = parquet_folder
    from_pandas = vp.to_frame(pd.read_parquet(out), **options)
    from_rows = vp.to_frame(pd.read_parquet(out).to_dict("records"), **options)
    from_arrow = vp.to_frame(pq.read_table(out), **options)
    assert len(from_jsonl) > 0
    key = ["directive_id", "start"] if kind == "entities" else ["directive_id", "agency"] if kind == "assignments" \
        else ["id"]
    expected = from_jsonl.sort_values(key).reset_index(drop=True)
    for got in (from_pandas, from_rows, from_arrow):
        got = got.sort_values(key).reset_index(drop=True)
        assert list(got.columns) == list(expected.columns)
        pd.testing.assert_frame_equal(got.astype(str), expected.astype(str))


def test_parquet_rows_give_entity_attributes_as_values_not_json(parquet_folder):
    import pandas as pd

    out, _ = parquet_folder
    ents = vp.to_frame(pd.read_parquet(out), entities=True)
    numbers = ents[ents["label"] == "DOC_NUMBER"]
    assert len(numbers) and numbers["doc_type"].notna().all()
    assignments = vp.to_frame(pd.read_parquet(out), assignments=True)
    lead = assignments[(assignments["agency"] == "Sở Y tế") & assignments["source"].str.endswith("records.jsonl")]
    assert list(lead["role"]) == ["lead"] and str(lead["deadline"].iloc[0].date()) == "2025-09-10"


def test_a_folder_with_the_old_side_file_names_is_resumed(inputs, tmp_path):
    """A folder written before the rename: its side files are read, then renamed."""
    out = tmp_path / "old"
    vp.batch.run([str(inputs)], out, workers=1, shard_size=2, progress=False)
    reference = sorted(json.dumps(r, sort_keys=True) for r in read_output(out))
    for new, old in (("_manifest.json", "manifest.json"), ("_plan.json", "plan.json"), ("_errors.jsonl", "errors.jsonl")):
        os.replace(out / new, out / old)
    for p in out.glob("_errors-*.jsonl"):
        os.replace(p, out / p.name[1:])
    assert sorted(json.dumps(r, sort_keys=True) for r in read_output(out)) == reference  # old manifest read
    last = sorted(out.glob("shard-*.jsonl"))[-1]
    last.unlink()  # as if interrupted before the last shard
    summary = vp.batch.run([str(inputs)], out, workers=1, shard_size=2, progress=False)
    assert summary.shards_skipped == summary.shards - 1  # the old plan was recognised
    assert summary.errors == 1  # the old per-shard error files were read
    assert sorted(json.dumps(r, sort_keys=True) for r in read_output(out)) == reference
    assert not [p.name for p in out.iterdir() if p.name[0] not in "._" and not p.name.startswith("shard-")]
