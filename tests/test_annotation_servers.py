"""The annotator's loop against real Label Studio and doccano servers (``make test-servers``).

Each test does what an annotator does, through the server's own HTTP API: create a user and a
project from what `vnpolicy export` wrote, import the tasks, relabel, shorten, add and delete
spans, change topics, skip a task, have two annotators on one task, export in every format a user
would pick, then `vnpolicy import`, `corpus validate`, `train --out` and `evaluate --against`.
With VNPOLICY_RECORD_FIXTURES=1 (``make record-fixtures``) the exports and what each must import
to are saved under tests/fixtures/annotation/, which tests/test_annotation_replay.py replays in
`make test`.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
import requests

from live_servers import start_doccano, start_label_studio
from vnpolicy_nlp.cli import main
from vnpolicy_nlp.corpus import CORPUS_DIR, validate
from vnpolicy_nlp.modelset import BUNDLED

pytestmark = pytest.mark.annotation_servers

EXAMPLE = CORPUS_DIR / "pages" / "example.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "annotation"
RECORD = os.environ.get("VNPOLICY_RECORD_FIXTURES") == "1"
WAIT = 180  # seconds for an import or export job

# The plan, by task (the example page's directives, in order): 0 corrected in every way, 1
# skipped, 3 annotated by two people, 7 confirmed as predicted; 2, 4, 5, 6 never opened.
CORRECTED, SKIPPED, TWO, CONFIRMED = 0, 1, 3, 7
UNTOUCHED = (2, 4, 5, 6)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("annotators")


@pytest.fixture(scope="module")
def corpus(work) -> Path:
    """A quarter of the corpus: the retrain in a test takes a minute, not several."""
    root = work / "corpus"
    root.mkdir()
    for src in sorted((CORPUS_DIR / "directives").glob("*.jsonl"))[::4]:
        shutil.copy(src, root / src.name)
    return root


def _export(work: Path, fmt: str, name: str) -> Path:
    out = work / name
    assert main(["export", str(EXAMPLE), "--to", fmt, "--out", str(out)]) == 0
    return out


def _edit(text: str, spans: list[list], topics: list[str]) -> tuple[list[list], list[str], dict]:
    """The corrections made to task 0, as [start, end, label] spans: relabel, shorten, delete, add,
    and new topics. Returns the spans and topics after them and what was done."""
    by_text = {text[s:e]: [s, e, lab] for s, e, lab in spans}
    relabel = next(sp for sp in spans if sp[2] == "LOCATION")
    longest = max((sp for sp in spans if "," in text[sp[0]:sp[1]]), key=lambda sp: sp[1] - sp[0])
    cut = longest[0] + text[longest[0]:longest[1]].index(",")
    delete = by_text["Thuận An"]
    add_at = text.index("khu công nghiệp")
    after = []
    for s, e, lab in spans:
        if [s, e, lab] == delete:
            continue
        if [s, e, lab] == relabel:
            lab = "AGENCY"
        if [s, e, lab] == longest:
            e = cut
        after.append([s, e, lab])
    after.append([add_at, add_at + len("khu công nghiệp"), "LOCATION"])
    new_topics = ["public_services"] if "public_services" not in topics else ["health"]
    done = {"relabelled": relabel, "shortened": [longest, cut], "deleted": delete, "added": after[-1]}
    return sorted(after), new_topics, done


def _check_imported(out: Path, expected: dict) -> None:
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = [r["id"] for r in got]
    assert len(ids) == len(set(ids)), f"duplicated records: {ids}"
    assert sorted(ids) == sorted(expected["records"]), (ids, expected["absent"])
    for r in got:
        want = expected["records"][r["id"]]
        assert sorted([e["start"], e["end"], e["label"]] for e in r["entities"]) == sorted(want["spans"]), r["id"]
        assert sorted(r["topics"]) == sorted(want["topics"]), r["id"]
    assert validate([out]) == []


def _record(name: str, body: bytes, expected: dict, command: list[str]) -> None:
    if not RECORD:
        return
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / name).write_bytes(body)
    (FIXTURES / f"{name}.expected.json").write_text(
        json.dumps({"import": command, **expected}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _retrain_and_compare(corpus: Path, imported: Path, work: Path, tag: str) -> None:
    train = work / f"corpus-{tag}"
    shutil.copytree(corpus, train)
    shutil.copy(imported, train / "imported-week.jsonl")
    assert main(["corpus", "validate", str(train)]) == 0
    assert main(["train", "--corpus", str(train), "--out", str(work / f"set-{tag}")]) == 0
    assert main(["evaluate", "--model", str(work / f"set-{tag}"), "--against", str(BUNDLED)]) == 0


# ------------------------------------------------------------------ Label Studio
class LabelStudio:
    def __init__(self, url: str, token: str):
        self.url = url
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, **kw) -> requests.Response:
        r = self.s.request(method, self.url + path, timeout=60, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r

    @staticmethod
    def sign_up(url: str, email: str, password: str) -> str:
        """A second annotator signs up through the web form and reads their API token."""
        s = requests.Session()
        s.get(f"{url}/user/signup/", timeout=30)
        s.post(f"{url}/user/signup/", timeout=30, headers={"Referer": f"{url}/user/signup/"},
               data={"email": email, "password": password, "csrfmiddlewaretoken": s.cookies.get("csrftoken")})
        r = s.get(f"{url}/api/current-user/token", timeout=30)
        assert r.status_code == 200, f"signing up {email} failed: {r.status_code} {r.text[:300]}"
        return r.json()["token"]


@pytest.fixture(scope="module")
def label_studio(work):
    server = start_label_studio(work, "annotator@example.org", "annotator-pass-1", "vnpolicy-test-token-0001")
    yield server
    server.stop()


def _ls_spans(result: list[dict]) -> list[list]:
    return sorted([r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]] for r in result
                  if r["type"] == "labels")


def _ls_result(text: str, spans: list[list], topics: list[str], prefix: str) -> list[dict]:
    out = [{"id": f"{prefix}{k}", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": s, "end": e, "text": text[s:e], "labels": [lab]}} for k, (s, e, lab) in enumerate(spans)]
    if topics:
        out.append({"id": f"{prefix}t", "from_name": "topics", "to_name": "text", "type": "choices",
                    "value": {"choices": topics}})
    return out


def test_label_studio_loses_no_correction(label_studio, work, corpus):
    exported = _export(work, "label-studio", "week.json")
    tasks = json.loads(exported.read_text(encoding="utf-8"))
    admin = LabelStudio(label_studio.url, "vnpolicy-test-token-0001")
    config = exported.with_name("week.label_config.xml").read_text(encoding="utf-8")
    project = admin.call("POST", "/api/projects", json={"title": "Week 32", "label_config": config}).json()
    pid = project["id"]
    imported = admin.call("POST", f"/api/projects/{pid}/import", json=tasks).json()
    assert imported["task_count"] == len(tasks) and imported["prediction_count"] == len(tasks)
    listed = admin.call("GET", "/api/tasks", params={"project": pid, "page_size": 100}).json()
    listed = listed["tasks"] if isinstance(listed, dict) else listed
    by_record = {t["data"]["record_id"]: t["id"] for t in listed}
    rids = [t["data"]["record_id"] for t in tasks]
    second = LabelStudio(label_studio.url, LabelStudio.sign_up(label_studio.url, "second@example.org", "second-pass-12"))

    def prediction(k: int) -> tuple[str, list[list], list[str]]:
        task = admin.call("GET", f"/api/tasks/{by_record[rids[k]]}").json()
        result = task["predictions"][0]["result"]
        topics = [c for r in result if r["type"] == "choices" for c in r["value"]["choices"]]
        return task["data"]["text"], _ls_spans(result), topics

    expected: dict = {"records": {}, "absent": []}
    # task 0: every kind of correction
    text, spans, topics = prediction(CORRECTED)
    after, new_topics, done = _edit(text, spans, topics)
    admin.call("POST", f"/api/tasks/{by_record[rids[CORRECTED]]}/annotations",
               json={"result": _ls_result(text, after, new_topics, "a"), "was_cancelled": False, "lead_time": 30.5})
    expected["records"][rids[CORRECTED]] = {"spans": after, "topics": new_topics, "done": done}
    # task 1: skipped
    admin.call("POST", f"/api/tasks/{by_record[rids[SKIPPED]]}/annotations", json={"result": [], "was_cancelled": True})
    expected["absent"].append(rids[SKIPPED])
    # task 3: two annotators; the second, later one drops a span and changes the topics
    text, spans, topics = prediction(TWO)
    admin.call("POST", f"/api/tasks/{by_record[rids[TWO]]}/annotations",
               json={"result": _ls_result(text, spans, topics, "b"), "was_cancelled": False})
    time.sleep(1.5)
    theirs, their_topics = spans[1:], ["health"]
    second.call("POST", f"/api/tasks/{by_record[rids[TWO]]}/annotations",
                json={"result": _ls_result(text, theirs, their_topics, "c"), "was_cancelled": False})
    expected["records"][rids[TWO]] = {"spans": theirs, "topics": their_topics}
    # task 7: confirmed as predicted
    text, spans, topics = prediction(CONFIRMED)
    admin.call("POST", f"/api/tasks/{by_record[rids[CONFIRMED]]}/annotations",
               json={"result": _ls_result(text, spans, topics, "d"), "was_cancelled": False})
    expected["records"][rids[CONFIRMED]] = {"spans": spans, "topics": topics}
    expected["absent"] += [rids[k] for k in UNTOUCHED]

    # every export a user would pick
    exports = {
        "label-studio.json": admin.call("GET", f"/api/projects/{pid}/export",
                                        params={"exportType": "JSON", "download_all_tasks": "true"}).content,
        "label-studio.min.json": admin.call("GET", f"/api/projects/{pid}/export",
                                            params={"exportType": "JSON_MIN", "download_all_tasks": "true"}).content,
    }
    snap = admin.call("POST", f"/api/projects/{pid}/exports",
                      json={"title": "snapshot", "serialization_options": {"predictions": {"only_id": True}}}).json()
    deadline = time.monotonic() + WAIT
    while admin.call("GET", f"/api/projects/{pid}/exports/{snap['id']}").json().get("status") != "completed":
        assert time.monotonic() < deadline, "the snapshot export did not complete"
        time.sleep(1)
    exports["label-studio.snapshot.json"] = admin.call(
        "GET", f"/api/projects/{pid}/exports/{snap['id']}/download", params={"exportType": "JSON"}).content
    snapshot = json.loads(exports["label-studio.snapshot.json"])
    assert any(t.get("predictions") and all(isinstance(p, int) for p in t["predictions"]) for t in snapshot), \
        "the snapshot was expected to hold prediction ids"

    for name, body in exports.items():
        path = work / name
        path.write_bytes(body)
        out = work / f"imported-{name}.jsonl"
        command = ["--from", "label-studio"]
        assert main(["import", str(path), *command, "--out", str(out), "--corpus", str(corpus)]) == 0, name
        _check_imported(out, expected)
        _record(name, body, expected, command)
    _retrain_and_compare(corpus, work / "imported-label-studio.json.jsonl", work, "label-studio")


# ------------------------------------------------------------------ doccano
class Doccano:
    def __init__(self, url: str, user: str, password: str):
        self.url = url
        r = requests.post(f"{url}/v1/auth/login/", json={"username": user, "password": password}, timeout=60)
        assert r.status_code == 200, f"doccano login of {user}: {r.status_code} {r.text[:300]}"
        self.s = requests.Session()  # the token alone: a session cookie would ask for CSRF tokens
        self.s.headers["Authorization"] = f"Token {r.json()['key']}"

    def call(self, method: str, path: str, **kw) -> requests.Response:
        r = self.s.request(method, self.url + path, timeout=60, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r

    def wait(self, task_id: str) -> dict:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            status = self.call("GET", f"/v1/tasks/status/{task_id}").json()
            if status.get("ready"):
                assert not status.get("error"), status
                return status
            time.sleep(1)
        raise AssertionError(f"doccano job {task_id} did not finish in {WAIT} s")

    def annotate(self, pid: int, eid: int, spans: list[list], topics: list[str], span_ids: dict, cat_ids: dict) -> None:
        """Make an example's labels (this user's) exactly ``spans`` and ``topics``: spans kept,
        relabelled or resized in place (PATCH), removed (DELETE) or added (POST), as the UI does."""
        base = f"/v1/projects/{pid}/examples/{eid}"
        have = self.call("GET", f"{base}/spans").json()
        label_of = {v: k for k, v in span_ids.items()}
        want = [list(x) for x in spans]
        for h in have:
            cur = [h["start_offset"], h["end_offset"], label_of[h["label"]]]
            if cur in want:
                want.remove(cur)
                continue
            same_start = next((w for w in want if w[0] == cur[0]), None)
            if same_start is not None:  # relabel or shorten this span
                self.call("PATCH", f"{base}/spans/{h['id']}", json={"start_offset": same_start[0],
                          "end_offset": same_start[1], "label": span_ids[same_start[2]]})
                want.remove(same_start)
            else:
                self.call("DELETE", f"{base}/spans/{h['id']}")
        for s, e, lab in want:
            self.call("POST", f"{base}/spans", json={"start_offset": s, "end_offset": e, "label": span_ids[lab]})
        for c in self.call("GET", f"{base}/categories").json():
            self.call("DELETE", f"{base}/categories/{c['id']}")
        for t in topics:
            self.call("POST", f"{base}/categories", json={"label": cat_ids[t]})

    def confirm(self, pid: int, eid: int) -> None:
        self.call("POST", f"/v1/projects/{pid}/examples/{eid}/states", json={})

    def export(self, pid: int, approved: bool) -> bytes:
        job = self.call("POST", f"/v1/projects/{pid}/download", json={"format": "JSONL", "exportApproved": approved})
        task_id = job.json()["task_id"]
        self.wait(task_id)
        return self.call("GET", f"/v1/projects/{pid}/download", params={"taskId": task_id}).content


@pytest.fixture(scope="module")
def doccano(work):
    server = start_doccano(work, "admin", "admin-pass-1")
    yield server
    server.stop()


def test_doccano_loses_no_correction(doccano, work, corpus, capsys):
    exported = _export(work, "doccano", "week.jsonl")
    lines = [json.loads(x) for x in exported.read_text(encoding="utf-8").splitlines()]
    admin = Doccano(doccano.url, "admin", "admin-pass-1")
    project = admin.call("POST", "/v1/projects", json={
        "name": "Week 32", "description": "vnpolicy export", "project_type": "IntentDetectionAndSlotFilling",
        "resourcetype": "IntentDetectionAndSlotFillingProject", "guideline": "ANNOTATION.md",
        "collaborative_annotation": False, "random_order": False}).json()
    pid = project["id"]
    for suffix, endpoint in ((".span_types.json", "span-type-upload"), (".category_types.json", "category-type-upload")):
        with open(exported.with_name("week" + suffix), "rb") as fh:
            admin.call("POST", f"/v1/projects/{pid}/{endpoint}", files={"file": fh})
    with open(exported, "rb") as fh:
        upload = admin.call("POST", "/v1/fp/process/", files={"filepond": ("week.jsonl", fh)}).text
    job = admin.call("POST", f"/v1/projects/{pid}/upload", json={
        "format": "JSONL", "task": "IntentDetectionAndSlotFilling", "uploadIds": [upload], "column_data": "text",
        "column_label": "label", "delimiter": "", "encoding": "utf_8"}).json()
    assert admin.wait(job["task_id"])["result"]["error"] == []
    span_ids = {t["text"]: t["id"] for t in admin.call("GET", f"/v1/projects/{pid}/span-types").json()}
    cat_ids = {t["text"]: t["id"] for t in admin.call("GET", f"/v1/projects/{pid}/category-types").json()}
    # a second annotator, made a member of the project
    admin.call("POST", "/v1/users/create", json={"username": "second", "email": "second@example.org",
                                                 "password1": "Second-pass-12", "password2": "Second-pass-12"})
    users = admin.call("GET", "/v1/users", params={"q": "second"}).json()
    uid = next(u["id"] for u in users if u["username"] == "second")
    role = next(r["id"] for r in admin.call("GET", "/v1/roles").json() if r["name"] == "annotator")
    admin.call("POST", f"/v1/projects/{pid}/members", json={"user": uid, "role": role})
    second = Doccano(doccano.url, "second", "Second-pass-12")

    examples = admin.call("GET", f"/v1/projects/{pid}/examples", params={"limit": 100}).json()["results"]
    by_record = {e["meta"]["record_id"]: e["id"] for e in examples}
    rids = [x["record_id"] for x in lines]
    assert sorted(by_record) == sorted(rids)

    def pre(k: int) -> tuple[str, list[list], list[str]]:
        eid = by_record[rids[k]]
        text = next(e["text"] for e in examples if e["id"] == eid)
        label_of = {v: k for k, v in span_ids.items()}
        cat_of = {v: k for k, v in cat_ids.items()}
        spans = sorted([s["start_offset"], s["end_offset"], label_of[s["label"]]]
                       for s in admin.call("GET", f"/v1/projects/{pid}/examples/{eid}/spans").json())
        cats = [cat_of[c["label"]] for c in admin.call("GET", f"/v1/projects/{pid}/examples/{eid}/categories").json()]
        return text, spans, cats

    expected: dict = {"records": {}, "absent": []}
    text, spans, topics = pre(CORRECTED)
    assert spans == sorted(lines[CORRECTED]["entities"]) and sorted(topics) == sorted(lines[CORRECTED]["cats"])
    after, new_topics, done = _edit(text, spans, topics)
    admin.annotate(pid, by_record[rids[CORRECTED]], after, new_topics, span_ids, cat_ids)
    admin.confirm(pid, by_record[rids[CORRECTED]])
    expected["records"][rids[CORRECTED]] = {"spans": after, "topics": new_topics, "done": done}
    # task 1: the annotator opens it and moves on without confirming: doccano's "skip"
    expected["absent"].append(rids[SKIPPED])
    # task 3: two annotators; they agree
    text, spans, topics = pre(TWO)
    agreed_spans, agreed_topics = spans[1:], ["health"]
    admin.annotate(pid, by_record[rids[TWO]], agreed_spans, agreed_topics, span_ids, cat_ids)
    admin.confirm(pid, by_record[rids[TWO]])
    second.annotate(pid, by_record[rids[TWO]], agreed_spans, agreed_topics, span_ids, cat_ids)
    second.confirm(pid, by_record[rids[TWO]])
    expected["records"][rids[TWO]] = {"spans": agreed_spans, "topics": agreed_topics}
    # task 7: confirmed as pre-annotated
    text, spans, topics = pre(CONFIRMED)
    admin.confirm(pid, by_record[rids[CONFIRMED]])
    expected["records"][rids[CONFIRMED]] = {"spans": spans, "topics": topics}
    expected["absent"] += [rids[k] for k in UNTOUCHED]

    body = admin.export(pid, approved=True)
    names = sorted(zipfile.ZipFile(io.BytesIO(body)).namelist())
    assert names == ["admin.jsonl", "second.jsonl"], names
    path = work / "doccano.approved.zip"
    path.write_bytes(body)
    out = work / "imported-doccano.jsonl"
    assert main(["import", str(path), "--from", "doccano", "--out", str(out), "--corpus", str(corpus)]) == 0
    assert "2 annotators agree; imported once" in capsys.readouterr().err
    _check_imported(out, expected)
    _record("doccano.approved.zip", body, expected, ["--from", "doccano"])
    # one annotator's file, as a user who unzips the export would import it
    admin_only = work / "admin.jsonl"
    admin_only.write_bytes(zipfile.ZipFile(io.BytesIO(body)).read("admin.jsonl"))
    out_admin = work / "imported-admin.jsonl"
    assert main(["import", str(admin_only), "--from", "doccano", "--out", str(out_admin), "--corpus", str(corpus)]) == 0
    _check_imported(out_admin, expected)
    _record("doccano.admin.jsonl", admin_only.read_bytes(), expected, ["--from", "doccano"])

    # The export of every document carries the never-opened ones with the model's pre-annotation:
    # the import says so, and a user who reads the warning exports approved documents instead.
    everything = admin.export(pid, approved=False)
    path_all = work / "doccano.all.zip"
    path_all.write_bytes(everything)
    assert main(["import", str(path_all), "--from", "doccano", "--out", str(work / "all.jsonl"),
                 "--corpus", str(corpus)]) == 1  # the second annotator left the rest blank: they disagree
    err = capsys.readouterr().err
    assert "annotators disagree" in err and "nothing written" in err
    admin_all = work / "admin-all.jsonl"
    admin_all.write_bytes(zipfile.ZipFile(io.BytesIO(everything)).read("admin.jsonl"))
    assert main(["import", str(admin_all), "--from", "doccano", "--out", str(work / "admin-all-out.jsonl"),
                 "--corpus", str(corpus)]) in (0, 1)
    err = capsys.readouterr().err
    assert re.search(r"\d+ record\(s\) are exactly the model's pre-annotation", err), err
    _record("doccano.all.zip", everything, {"records": {}, "absent": [], "refused": "annotators disagree"},
            ["--from", "doccano"])

    # the second annotator now disagrees on task 3: the import refuses to pick one silently
    second.annotate(pid, by_record[rids[TWO]], agreed_spans[1:], agreed_topics, span_ids, cat_ids)
    disagreeing = admin.export(pid, approved=True)
    path_dis = work / "doccano.disagree.zip"
    path_dis.write_bytes(disagreeing)
    assert main(["import", str(path_dis), "--from", "doccano", "--out", str(work / "dis.jsonl"),
                 "--corpus", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert "annotators disagree on this item: admin" in err and "second" in err
    _record("doccano.disagree.zip", disagreeing, {"records": {}, "absent": [], "refused": "annotators disagree"},
            ["--from", "doccano"])
    _retrain_and_compare(corpus, out, work, "doccano")
