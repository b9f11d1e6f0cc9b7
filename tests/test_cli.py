"""`vnpolicy tag` as CONTRACT.md describes it, including bad input."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_table_fits_100_columns_and_lists_what_was_found(page_file, capsys, monkeypatch):
    monkeypatch.chdir(page_file.parent)
    assert main(["tag", "--format", "table", "week.txt"]) == 0
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert captured.err == ""
    assert max(len(line) for line in out) <= 100
    assert out[0] == "week.txt: weekly bulletin 2024-09-02 to 2024-09-08, 2 directives"
    header = next(line for line in out if line.startswith("#"))
    assert header.split() == ["#", "headline", "topics", "found"]
    first = next(line for line in out if line.startswith("0 "))
    assert "Ứng phó bão số 3" in first and "disaster_response" in first
    assert any("document: 05/CĐ-UBND" in line for line in out)
    assert any("agency: Sở Giáo dục và Đào tạo" in line for line in out)


def test_the_table_shows_a_dash_for_no_topic_and_explains_it(tmp_path, capsys):
    path = tmp_path / "note.txt"
    path.write_text("Họp giao ban tháng 9\n\nUBND tỉnh họp giao ban công tác tháng 9 với các sở, ngành.\n",
                    encoding="utf-8")
    assert main(["tag", "--format", "table", str(path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("0 "))
    assert "–" in row and "other" not in out
    assert "with none of the topics (–)" in out


def test_table_only_flags_are_refused_with_the_reason(page_file, capsys):
    assert main(["tag", "--wide", str(page_file)]) == 2
    assert "use it with --format table" in capsys.readouterr().err
    assert main(["tag", "--format", "table", "--explain", str(page_file)]) == 2
    assert "leave out --format table" in capsys.readouterr().err


def test_wide_table_shows_everything(tmp_path, capsys):
    long_headline = "Triển khai thanh toán trực tuyến phí, lệ phí khi giải quyết thủ tục hành chính trên địa bàn tỉnh"
    path = tmp_path / "wide.txt"
    path.write_text(long_headline + "\n\nUBND tỉnh giao Sở Tài chính, Sở Thông tin và Truyền thông, Văn phòng UBND tỉnh, "
                    "Trung tâm Hành chính công tỉnh, Bưu điện tỉnh triển khai thanh toán trực tuyến.\n", encoding="utf-8")
    assert main(["tag", "--format", "table", "--wide", str(path)]) == 0
    out = capsys.readouterr().out
    assert long_headline in out and "Trung tâm Hành chính công tỉnh" in out and "Bưu điện tỉnh" in out
    assert "public_services 0." in out or "public_services 1.00" in out
    assert main(["tag", "--format", "table", str(path)]) == 0
    narrow = capsys.readouterr().out
    assert long_headline not in narrow and max(len(line) for line in narrow.splitlines()) <= 100


def test_explain_names_the_words_behind_each_topic(page_file, capsys):
    code, lines, _ = _run(["tag", "--explain", "--tokens", str(page_file)], capsys)
    assert code == 0
    assert set(lines[1]["explain"]) == {"recruitment"}
    words = [term for term, _ in lines[1]["explain"]["recruitment"]]
    tokens = {lines[1]["text"][s:e] for s, e in lines[1]["tokens"]}
    assert all(word in tokens for word in words), (words, tokens)  # whole words of the text, not syllables
    assert any(" " in word for word in words)


def test_explain_in_words_turns_syllables_into_the_words_that_hold_them(nlp):
    d = nlp("Công bố bộ thủ tục hành chính chuẩn hóa\n\nChủ tịch UBND tỉnh công bố thủ tục hành chính thuộc "
            "thẩm quyền giải quyết của cấp huyện; Bộ phận Tiếp nhận và Trả kết quả cập nhật dữ liệu.")
    assert d.topics == ["public_services"]
    pieces = [t for t, _ in d.explain()["public_services"]]
    words = [t for t, _ in d.explain(words=True)["public_services"]]
    assert "tục" in pieces and "tục" not in words and "thủ tục" in words
    tokens = {d.text[s:e] for s, e in d.tokens}
    assert set(words) <= tokens


def test_a_damaged_model_set_is_refused_with_the_file_named(tmp_path, page_file, capsys):
    from vnpolicy_nlp.modelset import BUNDLED

    bad = tmp_path / "set"
    shutil.copytree(BUNDLED, bad)
    (bad / "entities.crfsuite").write_bytes(b"not a model")
    code = main(["tag", "--model", str(bad), str(page_file)])
    err = capsys.readouterr().err
    assert code == 2 and "entities.crfsuite" in err and "does not match the manifest" in err


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
                                     ["corpus", "stats"], ["report"]])
def test_every_subcommand_help_shows_an_example(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert "example" in capsys.readouterr().out


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag, capsys):
    import vnpolicy_nlp

    with pytest.raises(SystemExit) as done:
        main([flag])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"vnpolicy {vnpolicy_nlp.__version__}"


def test_tag_takes_folders(tmp_path, page_file, capsys):
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(PAGE, encoding="utf-8")
    (folder / "b.txt").write_text(PAGE, encoding="utf-8")
    (folder / "records.jsonl").write_text('{"text": "Tuyển dụng công chức"}\n', encoding="utf-8")
    code, lines, err = _run(["tag", str(folder)], capsys)
    assert code == 0 and len(lines) == 4
    assert [Path(d["source"]).name for d in lines] == ["b.txt", "b.txt", "a.txt", "a.txt"]
    assert "1 .jsonl file(s) not read; for record files use --input jsonl" in err
    code, lines, _ = _run(["tag", "--input", "jsonl", str(folder)], capsys)
    assert code == 0 and [d["headline"] for d in lines] == ["Tuyển dụng công chức"]
    empty = tmp_path / "empty"
    empty.mkdir()
    code, lines, err = _run(["tag", str(empty)], capsys)
    assert code == 1 and lines == [] and f"{empty}: no *.txt page in this folder" in err


def test_a_terminal_on_stdin_gets_a_hint(monkeypatch, capsys):
    import io

    class Terminal(io.TextIOWrapper):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(PAGE.encode("utf-8")), encoding="utf-8"))
    code, lines, err = _run(["tag"], capsys)
    assert code == 0 and len(lines) == 2
    assert err.count("\n") == 1 and "standard input" in err and "Ctrl-D" in err
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode("utf-8")), encoding="utf-8"))
    code, lines, err = _run(["tag"], capsys)  # a pipe: no hint
    assert code == 0 and err == ""


def test_every_flag_of_every_subcommand_has_help():
    import argparse

    from vnpolicy_nlp.cli import build_parser

    missing = []

    def walk(parser, name):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, subparser in action.choices.items():
                    walk(subparser, f"{name} {sub}")
            elif not isinstance(action, argparse._HelpAction) and not (action.help or "").strip():
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "vnpolicy")
    assert missing == []


def test_a_page_given_as_jsonl_is_one_message(capsys):
    page = Path(__file__).resolve().parents[1] / "corpora" / "pages" / "example.txt"
    code, lines, err = _run(["tag", "--input", "jsonl", str(page)], capsys)
    assert code == 1 and lines == []
    assert err.count("\n") == 1 and "not JSON Lines" in err and "without --input jsonl" in err


@pytest.mark.parametrize("command", [
    ["tag", "missing.txt"], ["import", "missing.json", "--from", "doccano", "--out", "x.jsonl"],
    ["export", "missing.txt", "--to", "doccano", "--out", "x.jsonl"], ["suggest", "missing"],
    ["evaluate", "--gold", "missing.jsonl"], ["batch", "missing", "--out", "out"], ["corpus", "stats", "missing"],
    ["train", "--corpus", "missing", "--out", "set"], ["tag", "--model", "missing", "missing.txt"]])
def test_messages_go_to_stderr_in_words(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(command)
    captured = capsys.readouterr()
    assert code in (1, 2) and captured.out == ""
    assert captured.err.startswith("vnpolicy: ") and "missing" in captured.err
    assert "Errno" not in captured.err and "Traceback" not in captured.err and "'" not in captured.err.split(":")[1]


def test_evaluate_shows_a_dash_where_a_topic_has_no_example(tmp_path, capsys):
    from vnpolicy_nlp.corpus import split_records

    gold = [r for r in split_records()["test"] if "border_control" not in r["topics"]][:8]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold), encoding="utf-8")
    assert main(["evaluate", "--gold", str(path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("topic border_control F1"))
    assert row.split()[-2:] == ["–", "0"]
    assert "0.000" not in row and "no gold example" in out
