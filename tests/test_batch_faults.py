"""Archives as they are: output faults stop a batch with one line and a rerun completes;
workers do not outlive the batch process; a huge page is listed and the run goes on; the
manifest carries reliability signals per province and year."""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vnpolicy_nlp as vp
from vnpolicy_nlp import batch
from vnpolicy_nlp.reading import InputError

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "corpora" / "pages").glob("*.txt"))


@pytest.fixture()
def small_archive(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    for p in PAGES[:4]:
        shutil.copy(p, root / p.name)
    (root / "empty.txt").write_text("Nhảy đến nội dung\n\nChỉ đạo, điều hành nổi bật của UBND tỉnh tuần 32/2023\n",
                                    encoding="utf-8")
    return root


def _cli(args: list[str], limit: int | None = None, **kw) -> subprocess.CompletedProcess:
    def preexec() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.run([sys.executable, "-m", "vnpolicy_nlp.cli", *args], capture_output=True, text=True,
                          preexec_fn=preexec, cwd=ROOT, timeout=600, **kw)


def test_a_full_disk_stops_the_run_with_one_line_and_a_rerun_completes(small_archive, tmp_path):
    # a file size limit stands in for a full disk: the model's temporary file (about 320 kB)
    # still fits, the shard of a file of 30 pages does not
    (small_archive / "0-all.txt").write_text("\n\n".join(p.read_text(encoding="utf-8") for p in PAGES[:30]),
                                             encoding="utf-8")
    out = tmp_path / "out"
    first = _cli(["batch", str(small_archive), "--out", str(out), "--workers", "1", "--shard-size", "1", "--quiet"],
                 limit=400_000)
    assert first.returncode == 2, first.stderr
    lines = first.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write" in lines[0] and "rerun" in lines[0] and "Traceback" not in first.stderr
    assert not (out / "_manifest.json").exists()
    second = _cli(["batch", str(small_archive), "--out", str(out), "--workers", "1", "--shard-size", "1", "--quiet"])
    assert second.returncode == 1, second.stderr  # one page without directives is listed
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["summary"]["shards"] == 6
    assert manifest["summary"]["directives"] > 100


def test_an_unwritable_out_is_one_line(small_archive, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _cli(["batch", str(small_archive), "--out", str(blocker / "sub"), "--quiet"])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "cannot write the output folder" in result.stderr


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    frontier = {pid}
    while frontier:
        found = set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid in frontier:
                found.add(int(entry))
        found -= out
        out |= found
        frontier = found
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_exit_when_the_batch_process_is_killed(tmp_path):
    archive = tmp_path / "big"
    archive.mkdir()
    for k in range(6):
        for p in PAGES[:10]:
            shutil.copy(p, archive / f"{k}-{p.name}")
    proc = subprocess.Popen([sys.executable, "-m", "vnpolicy_nlp.cli", "batch", str(archive), "--out",
                             str(tmp_path / "out"), "--workers", "2", "--shard-size", "1", "--quiet"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.time() + 120
    while time.time() < deadline and len(workers) < 3:  # the forkserver and two workers
        time.sleep(0.5)
        workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 30
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.5)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leave them behind even when the test fails
        os.kill(w, signal.SIGKILL)
    assert left == []


def test_a_page_too_large_is_listed_and_the_run_goes_on(small_archive, tmp_path, monkeypatch):
    monkeypatch.setattr("vnpolicy_nlp.reading.MAX_PAGE_BYTES", 1000)
    nlp = vp.load()
    with pytest.raises(InputError, match="page limit"):
        list(batch.tag_page_file(nlp, str(PAGES[0]), "p", []))
    errors: list[dict] = []
    unit = batch.Unit(str(PAGES[0]), "text")
    assert list(batch._records_of_unit(nlp, unit, errors)) == []
    assert "page limit" in errors[0]["reason"]


def test_the_manifest_reports_reliability_per_province_and_year(small_archive, tmp_path):
    vp.batch.run([str(small_archive)], tmp_path / "out", workers=1, progress=False)
    manifest = json.loads((tmp_path / "out" / "_manifest.json").read_text(encoding="utf-8"))
    rows = manifest["reliability"]
    assert sum(r["pages"] for r in rows) == 5
    assert sum(r["pages_without_directive"] for r in rows) == 1
    assert sum(r["records"] for r in rows) == manifest["summary"]["directives"]
    named = [r for r in rows if r["province"] != "unknown"]
    assert named and all(r["year"].isdigit() for r in named)
    for r in rows:
        if r["entities"]:
            assert 0 <= r["unknown_entity_rate"] <= 1
        if r["topic_decisions"]:
            assert 0 <= r["low_confidence_topic_share"] <= 1


def test_jsonl_units_seek_to_their_lines(tmp_path):
    from vnpolicy_nlp.reading import read_jsonl_records

    path = tmp_path / "r.jsonl"
    path.write_text("\ufeff" + "".join(json.dumps({"text": f"Bản ghi số {k} về phòng, chống thiên tai"},
                                                   ensure_ascii=False) + "\n" for k in range(7)), encoding="utf-8")
    shards = batch.plan_shards([str(path)], lines_per_unit=2, shard_size=1)
    assert [(s.units[0].first_line, s.units[0].last_line) for s in shards] == [(0, 2), (2, 4), (4, 6), (6, 7)]
    seen = []
    for s in shards:
        u = s.units[0]
        errors: list = []
        seen += [(r.line, r.record["text"]) for r in read_jsonl_records(u.path, errors, (u.first_line, u.last_line),
                                                                          first_byte=u.first_byte)]
        assert errors == []
    assert seen == [(k + 1, f"Bản ghi số {k} về phòng, chống thiên tai") for k in range(7)]
