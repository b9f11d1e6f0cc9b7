"""Bad input never gives a traceback: a generated corpus of 1,000+ cases (encodings, binary,
malformed JSONL, special files, pathological texts) read through the same functions as
``vnpolicy tag``; each case bounded in time. Plus era resolution and context."""
from __future__ import annotations

import json
import os
import random
import signal
import unicodedata

import pytest

from vnpolicy_nlp.batch import tag_page_file, tag_record
from vnpolicy_nlp.cli import main
from vnpolicy_nlp.context import Context, record_context
from vnpolicy_nlp.reading import InputError, decode, guess_legacy_encoding, read_jsonl_records

VI = ("Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 7/8 đến ngày 13/8/2023)\n\n"
      "Tăng cường phòng, chống thiên tai\n\nUBND tỉnh yêu cầu Sở Nông nghiệp và Môi trường chủ trì, phối hợp "
      "với UBND các huyện rà soát phương án ứng phó, hoàn thành trước ngày 30/9.\n")


def _cp1258(text: str) -> bytes:
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        tones = [c for c in d if c in "\u0300\u0301\u0303\u0309\u0323"]
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in tones)) + "".join(tones))
    return "".join(out).encode("cp1258")


def _page_cases(rng: random.Random) -> list[bytes]:
    base = VI.encode("utf-8")
    cases = [b"", b"\x00" * 50, bytes(range(256)), b"\xff\xfe", b"\xfe\xff\x00", b"\xef\xbb\xbf",
             VI.encode("utf-16"), VI.encode("utf-32"), VI.encode("utf-32-le"), _cp1258(VI),
             "Tieáng Vieät ñöôïc chæ ñaïo, ñieàu haønh cuûa UBND tænh".encode("cp1252"),
             b"<html><body>" * 2000, b"<div>" * 5000 + base, b"<!DOCTYPE html><html>" + base,
             b"<p>" + b"&amp;" * 3000 + b"</p>", b"<script>" + base, b"<!--" + base, b"a" * 200_000,
             ("tỉnh " * 20000).encode(), ("1. Tăng cường\n" * 2000).encode(), b"\n" * 100_000,
             ("\u0301" * 5000).encode(), "\ud7ff\ue000\U0010ffff".encode(), VI.replace("\n", "\r").encode()]
    for _ in range(560):
        kind = rng.randrange(6)
        data = bytearray(base * rng.randint(1, 3))
        if kind == 0:  # random bytes flipped
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:  # truncated mid-character
            data = data[:rng.randrange(1, len(data))]
        elif kind == 2:  # random tags spliced in
            for _ in range(rng.randint(1, 15)):
                at = rng.randrange(len(data))
                data[at:at] = rng.choice([b"<p>", b"</div>", b"<br>", b"<b>", b"<nav>", b"&nbsp;", b"<!--", b"<h3>"])
        elif kind == 3:  # control characters and odd spaces
            text = list(VI)
            for _ in range(rng.randint(1, 30)):
                text.insert(rng.randrange(len(text)), rng.choice("\x00\x0b\x0c\u2028\u2029\u200b\u00ad\ufeff\t\r"))
            data = bytearray("".join(text).encode("utf-8"))
        elif kind == 4:  # pure noise
            data = bytearray(rng.randbytes(rng.randint(1, 3000)))
        else:  # shuffled lines
            lines = VI.split("\n") * 3
            rng.shuffle(lines)
            data = bytearray("\n".join(lines).encode("utf-8"))
        cases.append(bytes(data))
    return cases


def _jsonl_cases(rng: random.Random) -> list[bytes]:
    good = json.dumps({"text": VI, "province": "Lạng Sơn", "date": "2025-10-13"}, ensure_ascii=False)
    cases = [b'{"text": "\\ud800 x"}', b'{"text": "a", "k": "\\udfff"}', b"[" * 100_000 + b"]" * 100_000,
             b'{"a":' * 5000 + b"1" + b"}" * 5000, b'{"text": NaN}', b'{"text": "x", "s": Infinity}',
             b'{"text": "x", "s": -Infinity}', b"null", b"[]", b'"text"', b"{}", b'{"text": 5}', b'{"text": ""}',
             b'{"text": "x", "date": "2025-02-30"}', b'{"text": "x", "province": 7}', b'{"text": "x", "date": 20251013}',
             b"\xff\xfe{}", b'{"text": "' + b"a" * 100_000 + b'"}']
    for _ in range(440):
        line = bytearray(good.encode("utf-8"))
        for _ in range(rng.randint(1, 6)):
            op = rng.randrange(3)
            at = rng.randrange(len(line))
            if op == 0:
                del line[at]
            elif op == 1:
                line[at:at] = rng.choice([b"{", b"}", b'"', b"\\", b"\\u", b",", b":", b"\xc3", b"NaN", b"\\ud83d"])
            else:
                line[at] = rng.randrange(256)
        cases.append(bytes(line).replace(b"\n", b" "))
    return cases


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


@pytest.fixture(scope="module")
def rng():
    return random.Random(15)


def test_a_thousand_bad_inputs_give_reasons_not_tracebacks(nlp, rng, tmp_path):
    pages, lines = _page_cases(rng), _jsonl_cases(rng)
    assert len(pages) + len(lines) >= 1000
    old = signal.signal(signal.SIGALRM, _alarm)
    slow = []
    try:
        for k, data in enumerate(pages):
            path = tmp_path / f"p{k}.txt"
            path.write_bytes(data)
            signal.alarm(20)
            try:
                for rec in tag_page_file(nlp, str(path), str(path), []):
                    json.dumps(rec.to_dict(), ensure_ascii=False, allow_nan=False).encode("utf-8")
            except InputError as exc:
                assert str(exc).startswith(str(path)) and "\n" not in str(exc)
            except _Timeout:
                slow.append(k)
            finally:
                signal.alarm(0)
        jsonl = tmp_path / "records.jsonl"
        jsonl.write_bytes(b"\n".join(lines) + b"\n")
        errors: list[InputError] = []
        signal.alarm(120)
        n = 0
        for item in read_jsonl_records(str(jsonl), errors):
            rec = tag_record(nlp, item, str(jsonl), [])
            json.dumps(rec.to_dict(), ensure_ascii=False, allow_nan=False).encode("utf-8")
            n += 1
        signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, old)
    assert slow == []
    assert n + len(errors) >= len(lines) - sum(1 for x in lines if not x.strip())
    assert all(e.where.startswith(str(jsonl) + ":") and "\n" not in e.reason for e in errors)
    reasons = " ".join(e.reason for e in errors)
    assert "lone surrogate" in reasons and "nested too deeply" in reasons and "NaN is not standard JSON" in reasons


def test_legacy_encodings_are_decoded_or_named():
    notes: list[str] = []
    assert decode(_cp1258(VI), "old.txt", notes) == unicodedata.normalize("NFC", VI)
    assert "Windows-1258" in notes[0]
    assert guess_legacy_encoding("Tieáng Vieät ñöôïc chæ ñaïo, ñieàu haønh".encode("cp1252")) == "VNI"
    with pytest.raises(InputError, match="legacy VNI"):
        decode("Tieáng Vieät ñöôïc chæ ñaïo, ñieàu haønh cuûa UBND tænh".encode("cp1252"), "vni.txt")
    assert decode(VI.encode("utf-32"), "u32.txt") == VI


def test_special_files_are_listed_never_waited_on(tmp_path, capsys):
    from vnpolicy_nlp import batch

    src = tmp_path / "in"
    src.mkdir()
    (src / "ok.txt").write_text(VI, encoding="utf-8")
    os.mkfifo(src / "pipe.txt")
    (src / "dangling.txt").symlink_to(src / "nowhere.txt")
    (src / "folder.txt").mkdir()
    missing: list[dict] = []
    found = batch.expand_inputs([str(src)], missing)
    assert [p.name for p in found] == ["ok.txt"]
    reasons = {os.path.basename(m["path"]): m["reason"] for m in missing}
    assert set(reasons) == {"pipe.txt", "dangling.txt", "folder.txt"}
    assert main(["tag", str(src / "pipe.txt"), str(src / "ok.txt")]) == 1
    err = capsys.readouterr().err
    assert "pipe.txt: is a FIFO" in err


def test_places_resolve_at_the_directive_date(nlp):
    text = "UBND tỉnh yêu cầu kiểm tra các hộ kinh doanh trên địa bàn phường Đông Kinh, tỉnh Lạng Sơn."
    before = nlp(text, date="2024-10-13", province="Lạng Sơn")
    after = nlp(text, date="2025-10-13", province="Lạng Sơn")

    def ward(rec):
        return next(e["attrs"] for e in rec.entities if e["text"].endswith("Đông Kinh"))
    assert ward(after)["ward_code"] == "05977" and "now_in" not in ward(after)
    assert ward(before)["ward_code"] == "05980" and ward(before)["district_code"] == "178"
    assert ward(before)["now_in"]["ward_code"] == "05977"
    assert before.context == Context("Lạng Sơn", "2024-10-13")


def test_jsonl_context_keys_reach_the_entities(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    rows = [{"text": "Kiểm tra các hộ kinh doanh tại phường Đông Kinh.", "province": "Lạng Sơn", "date": "2025-10-13"},
            {"text": "UBND phường Đông Kinh kiểm tra.", "province": "Atlantis", "date": "13/10/2025"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert main(["tag", "--input", "jsonl", str(path)]) == 0
    out = capsys.readouterr()
    first, second = [json.loads(x) for x in out.out.splitlines()]
    assert first["context"]["date"] == "2025-10-13"
    assert any(e["attrs"].get("ward_code") == "05977" for e in first["entities"])
    assert second["context"] == {"province": None, "date": None, "week_start": None, "week_end": None}
    assert f"{path}:2: 'province'" in out.err and f"{path}:2: 'date'" in out.err
    assert record_context({"date": "2025-07-01"})[0].era == "2025"


def test_agencies_name_their_2025_successor(nlp):
    rec = nlp("Sở Giao thông vận tải chủ trì, phối hợp với Sở Y tế triển khai kế hoạch.")
    attrs = {e["text"]: e["attrs"] for e in rec.entities if e["label"] == "AGENCY"}
    assert attrs["Sở Giao thông vận tải"]["now_in"] == {"name": "Sở Xây dựng", "since": "2025-03-01"}
    assert "now_in" not in attrs["Sở Y tế"]


def test_page_context_takes_the_province_from_the_title(nlp):
    page = VI.replace("của UBND tỉnh", "của UBND tỉnh Cao Bằng")
    (rec,) = nlp.tag_bulletin(page)
    assert rec.context == Context("Cao Bằng", "2023-08-13", "2023-08-07", "2023-08-13")


def test_each_page_of_a_file_has_its_own_province(nlp):
    one = VI.replace("của UBND tỉnh", "của UBND tỉnh Cao Bằng")
    two = VI.replace("của UBND tỉnh", "của UBND tỉnh Lạng Sơn").replace("7/8", "14/8").replace("13/8", "20/8")
    first, second = nlp.tag_bulletin(one + "\n\n" + two)
    assert (first.context.province, second.context.province) == ("Cao Bằng", "Lạng Sơn")
    assert second.context.week_start == "2023-08-14"
