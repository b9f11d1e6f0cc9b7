"""`vnpolicy tag` as CONTRACT.md describes it, including bad input."""
import json
import subprocess
import sys

import pytest

from vnpolicy_nlp.cli import main

PAGE = ("Nhảy đến nội dung\nChỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 02/9 đến ngày 08/9/2024)\n\n"
        "Ứng phó bão số 3; Tuyển dụng viên chức ngành giáo dục\n\n123\n\n"
        "Ứng phó bão số 3\n\nChủ tịch UBND tỉnh ban hành Công điện số 05/CĐ-UBND ngày 06/9/2024 về ứng phó bão.\n\n"
        "Ảnh minh họa\n\n"
        "Tuyển dụng viên chức ngành giáo dục\n\nSở Giáo dục và Đào tạo tổ chức xét tuyển 120 chỉ tiêu.\n")


def _run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    return code, lines, captured.err


@pytest.fixture
def page_file(tmp_path):
    path = tmp_path / "week.txt"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_tag_writes_one_object_per_directive(page_file, capsys):
    code, lines, err = _run(["tag", str(page_file), "--tokens"], capsys)
    assert code == 0 and err == ""
    assert [d["headline"] for d in lines] == ["Ứng phó bão số 3", "Tuyển dụng viên chức ngành giáo dục"]
    for d in lines:
        assert PAGE[d["start"]:d["end"]] == d["text"]
        assert d["bulletin"]["week_start"] == "2024-09-02"
        assert d["source"] == str(page_file)
        for s, e in d["tokens"]:
            assert d["text"][s:e].strip() == d["text"][s:e]
    assert [d["index"] for d in lines] == [0, 1]
    assert lines[0]["topics"] == ["disaster_response"] and lines[1]["topics"] == ["recruitment"]
    assert set(lines[0]["topic_scores"]) == {"disaster_response", "recruitment", "public_services", "health",
                                             "border_control"}
    numbers = [e for e in lines[0]["entities"] if e["label"] == "DOC_NUMBER"]
    assert [(e["text"], e["attrs"]["doc_type"], e["attrs"]["date"]) for e in numbers] == \
        [("05/CĐ-UBND", "Công điện", "2024-09-06")]
    for d in lines:
        starts = {s for s, _ in d["tokens"]}
        ends = {e for _, e in d["tokens"]}
        for ent in d["entities"]:
            assert d["text"][ent["start"]:ent["end"]] == ent["text"]
            assert ent["start"] in starts and ent["end"] in ends  # spans convert to spaCy without loss


def test_jsonl_input_keeps_the_record_and_does_not_split(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": PAGE, "week": 36}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, lines, _ = _run(["tag", "--input", "jsonl", str(path)], capsys)
    assert code == 0 and len(lines) == 1
    assert lines[0]["start"] == 0 and lines[0]["end"] == len(PAGE)
    assert lines[0]["input"] == {"text": PAGE, "week": 36}


def test_table_is_aligned_for_a_person(page_file, capsys):
    assert main(["tag", "--format", "table", str(page_file)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("source") and set(out[1]) <= {"-", " "}
    assert "Ứng phó bão số 3" in out[2] and "disaster_response" in out[2]
    assert "2024-09-02" in out[-1]


def test_explain_names_the_terms_behind_each_topic(page_file, capsys):
    code, lines, _ = _run(["tag", "--explain", str(page_file)], capsys)
    assert code == 0
    assert set(lines[1]["explain"]) == {"recruitment"}
    assert any(term.endswith("tuyển") for term, _ in lines[1]["explain"]["recruitment"])


def test_a_damaged_model_set_is_refused_with_the_file_named(tmp_path, page_file, capsys):
    bad = tmp_path / "set"
    bad.mkdir()
    (bad / "manifest.json").write_text('{"files": {"entities.joblib": "00"}}', encoding="utf-8")
    (bad / "entities.joblib").write_bytes(b"not a model")
    code = main(["tag", "--model", str(bad), str(page_file)])
    err = capsys.readouterr().err
    assert code == 2 and "entities.joblib" in err and "does not match the manifest" in err


BAD = {
    "empty.txt": b"",
    "blank.txt": b"  \n\t\n\xc2\xa0\n",
    "latin1.txt": "Quyết định số 12/QĐ-UBND".encode("cp1258", errors="replace") + b"\xff\xfe\xfa",
}


def test_bad_files_are_skipped_with_a_reason_and_the_rest_is_tagged(tmp_path, page_file, capsys):
    paths = []
    for name, data in BAD.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    code, lines, err = _run(["tag", *paths, str(page_file), str(tmp_path / "missing.txt")], capsys)
    assert code == 1
    assert len(lines) == 2 and all(d["source"] == str(page_file) for d in lines)
    messages = err.strip().splitlines()
    assert len(messages) == len(BAD) + 1
    assert any("empty.txt: empty page" in m for m in messages)
    assert any("blank.txt: empty page" in m for m in messages)
    assert any("latin1.txt: invalid UTF-8 at byte" in m for m in messages)
    assert any("missing.txt: cannot read" in m for m in messages)


def test_bom_utf16_and_control_characters_are_tagged(tmp_path, capsys):
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + PAGE.encode("utf-8"))
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(PAGE.encode("utf-16"))
    ctrl = tmp_path / "ctrl.txt"
    ctrl.write_text(PAGE.replace("ứng phó bão.", "ứng phó\x07 bão.\x0b"), encoding="utf-8")
    code, lines, err = _run(["tag", str(bom), str(utf16), str(ctrl)], capsys)
    assert code == 0, err
    assert len(lines) == 6
    bom_text = (b"\xef\xbb\xbf" + PAGE.encode("utf-8")).decode("utf-8")
    assert bom_text[lines[0]["start"]:lines[0]["end"]] == lines[0]["text"]
    assert lines[2]["text"] == lines[0]["text"]
    assert "\x07" in lines[4]["text"]


def test_a_one_megabyte_page_is_tagged(tmp_path, capsys):
    body = "Sở Tài chính chủ trì thẩm định dự toán ngân sách, báo cáo UBND tỉnh trước ngày 30/11/2024. "
    big = "Rà soát dự toán ngân sách năm 2025\n\n" + "\n\n".join(body * 12 for _ in range(1000))
    assert len(big.encode("utf-8")) > 1_000_000
    path = tmp_path / "big.txt"
    path.write_text(big, encoding="utf-8")
    code, lines, _ = _run(["tag", str(path)], capsys)
    assert code == 0 and len(lines) == 1 and lines[0]["end"] == len(big.rstrip())


def test_bad_jsonl_lines_name_the_line(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    path.write_text('{"text": "Ứng phó bão"}\nnot json\n{"title": "x"}\n{"text": "  "}\n', encoding="utf-8")
    code, lines, err = _run(["tag", "--input", "jsonl", str(path)], capsys)
    assert code == 1 and len(lines) == 1
    assert f"{path}:2: not valid JSON" in err and f"{path}:3:" in err and f"{path}:4: empty" in err


def test_the_installed_command_reads_stdin():
    proc = subprocess.run([sys.executable, "-m", "vnpolicy_nlp.cli", "tag", "-"], input=PAGE.encode(),
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(proc.stdout.decode().splitlines()) == 2


@pytest.mark.parametrize("command", [["tag"], ["batch"], ["export"], ["import"], ["suggest"], ["train"], ["evaluate"],
                                     ["models", "list"], ["models", "rollback"], ["corpus", "validate"],
                                     ["corpus", "stats"]])
def test_every_subcommand_help_shows_an_example(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert "example" in capsys.readouterr().out
