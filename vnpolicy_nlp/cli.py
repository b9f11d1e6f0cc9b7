"""The ``vnpolicy`` command.

One reporting convention for every subcommand: results (records, tables, what was written where)
go to stdout; messages (inputs skipped and why, warnings, hints, progress) go to stderr, each
starting with ``vnpolicy:``, in words rather than error codes. Exit status: 0 all done, 1 some
input skipped or a problem found, 2 the command could not run.
"""
from __future__ import annotations

import argparse
import errno
import json
import sys
import unicodedata
from pathlib import Path
from collections.abc import Iterator

from .batch import BatchError
from .evaluation import format_table
from .modelset import ModelSetError
from .pipeline import Pipeline, load
from .reading import InputError, read_jsonl_records, read_text
from .display import summary_table
from .record import Directive

EXAMPLES = """examples:
  vnpolicy tag week.txt                       one JSON object per directive
  vnpolicy tag --format table pages/          a readable summary of every page in a folder
  vnpolicy tag --format table --wide week.txt everything: full headlines, scores, every entity
  vnpolicy tag --input jsonl records.jsonl    records with a "text" key, one directive each
  cat week.txt | vnpolicy tag -               read standard input
"""


def _warn(message: str) -> None:
    print(f"vnpolicy: {message}", file=sys.stderr)


_OS_REASONS = {errno.ENOENT: "no such file or folder", errno.EACCES: "permission denied",
               errno.EISDIR: "is a folder, not a file", errno.ENOTDIR: "a part of the path is not a folder",
               errno.ENOSPC: "no space left on the device", errno.EROFS: "the file system is read-only"}


def describe_os_error(exc: OSError) -> str:
    """``path: no such file or folder`` rather than ``[Errno 2] No such file or directory: 'path'``."""
    reason = _OS_REASONS.get(exc.errno) or (exc.strerror or str(exc)).lower()
    return f"{exc.filename}: {reason}" if exc.filename else reason


def _expand_paths(paths: list[str], kind: str, errors: list[InputError]) -> list[str]:
    """Files as given; a folder becomes its pages (``--input text``) or record files
    (``--input jsonl``), recursively, in a stable order."""
    out: list[str] = []
    suffixes = (".jsonl",) if kind == "jsonl" else (".txt",)
    for path in paths:
        folder = Path(path)
        if path == "-" or not folder.is_dir():
            out.append(path)
            continue
        files = sorted(q for q in folder.rglob("*") if q.is_file() and not q.name.startswith((".", "_")))
        chosen = [str(q) for q in files if q.suffix in suffixes and not q.name.endswith(".gold.jsonl")]
        if not chosen:
            what = "*.jsonl record file" if kind == "jsonl" else "*.txt page"
            errors.append(InputError(path, f"no {what} in this folder"))
        other = [q for q in files if q.suffix == (".txt" if kind == "jsonl" else ".jsonl")
                 and not q.name.endswith(".gold.jsonl")]
        if other:
            _warn(f"{path}: {len(other)} {other[0].suffix} file(s) not read; "
                  + ("they are pages: tag them without --input jsonl" if kind == "jsonl"
                     else "for record files use --input jsonl"))
        out.extend(chosen)
    return out


def _jsonl_records(nlp: Pipeline, path: str, errors: list[InputError]) -> Iterator[Directive]:
    from .batch import tag_record

    source = "<stdin>" if path == "-" else path
    problems: list[InputError] = []
    notes: list[str] = []
    found = 0
    for item in read_jsonl_records(path, problems):
        found += 1
        try:
            rec = tag_record(nlp, item, source, notes)
        except Exception as exc:  # one record never stops the others
            problems.append(InputError(f"{source}:{item.line}", f"internal error ({type(exc).__name__}: {str(exc)[:200]})"))
            continue
        for note in notes:
            _warn(note)
        notes.clear()
        yield rec
    if not found and len(problems) > 1 and all("not valid JSON" in p.reason for p in problems):
        errors.append(InputError(source, f"not JSON Lines (none of its {len(problems)} lines is a JSON record); "
                                         "if it is a page of text, tag it without --input jsonl"))
    else:
        errors.extend(problems)


def _tag_inputs(nlp: Pipeline, paths: list[str], kind: str, errors: list[InputError]) -> Iterator[Directive]:
    from .batch import tag_page_file

    for path in _expand_paths(paths, kind, errors):
        source = "<stdin>" if path == "-" else path
        notes: list[str] = []
        if kind == "jsonl":
            yield from _jsonl_records(nlp, path, errors)
            continue
        if path.endswith(".jsonl"):
            _warn(f"{path} is read as page text; for one record per line use --input jsonl")
        n = 0
        try:
            for rec in tag_page_file(nlp, path, source, notes):
                for note in notes:
                    _warn(note)
                notes.clear()
                n += 1
                yield rec
        except InputError as exc:
            errors.append(exc)
            continue
        except Exception as exc:  # one page never stops the others
            errors.append(InputError(source, f"internal error ({type(exc).__name__}: {str(exc)[:200]})"))
            continue
        for note in notes:
            _warn(note)
        if n == 0:
            errors.append(InputError(source, "no directive found in the page"))


STDIN_HINT = ("reading a page from standard input; type or paste it, then Ctrl-D "
              "(or give files or folders: vnpolicy tag week.txt; vnpolicy tag --help)")


def cmd_tag(args: argparse.Namespace) -> int:
    if args.wide and args.format != "table":
        _warn("--wide shapes the table: use it with --format table")
        return 2
    if args.explain and args.format == "table":
        _warn("--explain adds to the JSON records; the table does not show it (leave out --format table)")
        return 2
    if not args.paths and sys.stdin.isatty():
        _warn(STDIN_HINT)
    nlp = load(args.model)
    errors: list[InputError] = []
    paths = args.paths or ["-"]
    if args.format == "jsonl":
        out = sys.stdout
        for rec in _tag_inputs(nlp, paths, args.input, errors):
            obj = rec.to_dict(tokens=args.tokens)
            if args.explain and rec.topics is not None:
                obj["explain"] = {t: [[word, w] for word, w in terms]
                                  for t, terms in rec.explain(words=True).items() if terms}
            json.dump(obj, out, ensure_ascii=False, allow_nan=False)  # written in pieces: a huge record
            out.write("\n")                                         # is never one huge string
    else:
        records = list(_tag_inputs(nlp, paths, args.input, errors))
        if records:
            print(summary_table(records, wide=args.wide))
    for exc in errors:
        _warn(f"skipped {exc}")
    return 1 if errors else 0


def cmd_corpus_validate(args: argparse.Namespace) -> int:
    from .corpus import read_records, validate

    problems = validate(args.paths or None)
    for p in problems:
        print(p)
    n = len(read_records(args.paths or None, []))
    print(f"{n} records checked, {len(problems)} problem(s)")  # the problems are this command's result
    return 1 if problems else 0


def cmd_corpus_stats(args: argparse.Namespace) -> int:
    from .corpus import stats

    for p in args.paths or []:
        if not Path(p).exists():
            _warn(f"{p}: no such file or folder")
            return 2
    s = stats(args.paths or None)
    if not args.markdown:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return 0
    print(f"{s['records']} records ({s['unique_records']} after removing near-duplicates): "
          f"{s['directives']} directives, {s['headlines']} headlines; {s['no_topic']} with no topic, "
          f"{s['two_topics']} with two topics; {s['after_2025_07']} dated from 2025-07-01; "
          f"splits {s['splits']}.\n")
    for title, key in (("Records per topic", "topics"), ("No-topic records per subject", "subjects_no_topic"),
                       ("Records per year", "years"), ("Records per province", "provinces"),
                       ("Distinct entity surfaces per label", "distinct_entities"),
                       ("Entity mentions per label", "entity_mentions"), ("Document numbers per type", "doc_types")):
        print(f"**{title}**: " + ", ".join(f"{k} {v}" for k, v in s[key].items()) + "\n")
    print("| genre | records | words p10 / median / p90 | records by number of body paragraphs |")
    print("| --- | ---: | --- | --- |")
    for name, g in s["genres"].items():
        paras = ", ".join(f"{k}: {v}" for k, v in g["body_paragraphs"].items())
        print(f"| {name} | {g['records']} | {g['words_p10']} / {g['words_median']} / {g['words_p90']} | {paras} |")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from .corpus import split_records
    from . import modelset
    from .training import live_metrics, regressions, train_model_set

    BUNDLED, HISTORY = modelset.BUNDLED, modelset.HISTORY

    if args.promote and args.out:
        _warn("--promote replaces the bundled set; it does not take --out")
        return 2
    if args.out:
        result = train_model_set(args.corpus or None, Path(args.out), taxonomy_path=args.taxonomy)
        _print_training(result)
        return 0
    if BUNDLED == modelset.PACKAGED:
        _warn(f"this is an installed vnpolicy-nlp: its bundled set ({BUNDLED}) is not replaced; "
              "write a new set with --out DIR and use it with --model DIR")
        return 2
    modelset.clean_leftovers(BUNDLED.parent)
    candidate = Path(tempfile.mkdtemp(prefix=f".candidate-{os.getpid()}-", dir=BUNDLED.parent)) / "set"
    try:
        result = train_model_set(args.corpus or None, candidate, taxonomy_path=args.taxonomy)
        _print_training(result)
        if args.promote and (BUNDLED / "manifest.json").exists():
            test = split_records(args.corpus or None)["test"]
            new, old = live_metrics(candidate, test), live_metrics(BUNDLED, test)
            print(format_table([[k, f"{old[k]:.3f}", f"{new[k]:.3f}", f"{new[k] - old[k]:+.3f}"] for k in new],
                               ["metric (test split)", "current", "new", "change"]))
            fallen = regressions(new, old)
            if fallen and not args.accept_regression:
                _warn(f"not promoted: {', '.join(fallen)} fell by more than one point "
                      "(rerun with --accept-regression to promote anyway)")
                return 1
        kept = modelset.archive(BUNDLED, HISTORY)
        modelset.replace_set(candidate, BUNDLED)
        print(f"now the bundled set: {BUNDLED}" + (f" (previous one kept in {kept})" if kept else ""))
        return 0
    finally:
        shutil.rmtree(candidate.parent, ignore_errors=True)


def _print_training(result) -> None:
    ents = result.metrics["entities_test"]["micro"]
    tops = result.metrics["topics_test"]
    print(f"entities (test) micro-F1 {ents['f1']:.3f}; topics (test) macro-F1 {tops['macro_f1']:.3f}, "
          f"exact-set {tops['exact_set_accuracy']:.3f}; trained in {result.seconds:.0f} s")


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import modelset
    from .corpus import read_records, split_records
    from .training import live_metrics

    BUNDLED = modelset.BUNDLED

    if args.gold:
        from .corpus import check_record, load_taxonomy

        if not Path(args.gold).exists():
            _warn(f"{args.gold}: no such file or folder")
            return 2
        problems: list[str] = []
        loaded = read_records([args.gold], problems)
        taxonomy = load_taxonomy()
        problems += [f"{r.where}: {m}" for r in loaded for m in check_record(r.data, taxonomy)]
        if problems or not loaded:
            for p in problems[:20]:
                _warn(p)
            _warn(f"{args.gold}: not usable as gold: it needs corpus records (id, text, headline, topics, entities, …)"
                  if loaded or problems else f"{args.gold}: no records")
            return 2
        records = [r.data for r in loaded]
    else:
        records = split_records()["test"]
    where = args.gold or "the corpus test split"
    mine = live_metrics(Path(args.model) if args.model else BUNDLED, records)
    other = live_metrics(Path(args.against), records) if args.against else None
    name = args.model or "bundled"
    support = _support(records)
    unsupported = [k for k in mine if support.get(k) == 0]

    def cell(value: float, key: str, sign: str = "") -> str:
        return NO_SCORE if key in unsupported else f"{value:{sign}.3f}"

    if other is None:
        print(f"{name} on {where} ({len(records)} records)")
        print(format_table([[k, cell(v, k), str(support.get(k, len(records)))] for k, v in mine.items()],
                           ["metric", "value", "support"]))
    else:
        print(f"{name} against {args.against} on {where} ({len(records)} records)")
        print(format_table([[k, cell(other[k], k), cell(v, k), cell(v - other[k], k, "+"),
                             str(support.get(k, len(records)))] for k, v in mine.items()],
                           ["metric", args.against, name, "change", "support"]))
    if unsupported:
        print(f"{NO_SCORE} no gold example of that label in these records, so no score")
    return 0


NO_SCORE = "–"


def _support(records: list[dict]) -> dict[str, int]:
    """Gold examples behind each per-label metric: records with the topic, entities with the label."""
    from collections import Counter

    from .taxonomy import entity_labels, topic_labels

    topics = Counter(t for r in records for t in r.get("topics") or [])
    ents = Counter(e.get("label") for r in records for e in r.get("entities") or [])
    out = {f"topic {t} F1": topics[t] for t in topic_labels()}
    out.update({f"entity {label} F1": ents[label] for label in entity_labels()})
    return out


def cmd_models(args: argparse.Namespace) -> int:
    from . import modelset
    from .modelset import read_manifest

    BUNDLED, HISTORY = modelset.BUNDLED, modelset.HISTORY
    if args.models_command == "rollback":
        chosen = modelset.rollback(args.name, BUNDLED, HISTORY)
        print(f"rolled back: the bundled set is now {chosen.name}")
        return 0
    rows = []
    for path in [*modelset.list_history(HISTORY), BUNDLED]:
        if not (path / "manifest.json").exists():
            continue
        m = read_manifest(path)
        metrics = m.get("metrics", {})
        rows.append([path.name if path != BUNDLED else "(bundled)", m.get("created", "?"),
                     m.get("data", {}).get("sizes", {}).get("train", "?"),
                     f"{metrics.get('entities_test', {}).get('micro', {}).get('f1', 0):.3f}",
                     f"{metrics.get('topics_test', {}).get('macro_f1', 0):.3f}"])

    print(format_table(rows, ["set", "created", "train records", "entities F1", "topics F1"]))
    return 0


def _tag_any(nlp: Pipeline, path: str, errors: list[InputError]) -> list[Directive]:
    kind = "jsonl" if path.endswith(".jsonl") else "text"
    return list(_tag_inputs(nlp, [path], kind, errors))


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .annotation import export_tasks

    nlp = load(args.model)
    errors: list[InputError] = []
    directives = _tag_any(nlp, args.path, errors)
    for exc in errors:
        _warn(f"skipped {exc}")
    if not directives:
        _warn(f"nothing to export from {args.path}; {args.out} not written")
        return 1
    n = export_tasks(directives, args.to, Path(args.out))
    print(f"{n} tasks written to {args.out}" + (f" (labelling config: {Path(args.out).stem}.label_config.xml)"
                                                if args.to == "label-studio" else ""))
    return 1 if errors else 0


def cmd_import(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from .annotation import import_tasks

    if not Path(args.path).is_file():
        _warn(f"{args.path}: " + ("is a folder, not a file" if Path(args.path).is_dir() else "no such file or folder"))
        return 2
    result = import_tasks(Path(args.path), args.fmt)
    for p in result.problems:
        _warn(p)
    if result.records:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in result.records), encoding="utf-8")
        os.replace(tmp, out)
    if result.unannotated:
        _warn(f"{result.unannotated} task(s) had no annotation: their model predictions were imported as they are")
    if result.records:
        print(f"{len(result.records)} records written to {args.out}; {len(result.problems)} problem(s)")
    else:
        print(f"no valid record, so {args.out} was not written; {len(result.problems)} problem(s)")
    return 1 if result.problems else 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from .batch import expand_inputs
    from .suggest import rank_for_annotation

    nlp = load(args.model)
    errors: list[InputError] = []
    directives = [d for p in expand_inputs(args.paths) for d in _tag_any(nlp, str(p), errors)]
    ranked = rank_for_annotation(nlp, directives, args.n)
    print(format_table([[f"{s.score:.2f}", f"{s.topic_uncertainty:.2f} ({s.closest_topic})", f"{s.entity_uncertainty:.2f}",
                         f"{s.directive.source}#{s.directive.index}", unicodedata.normalize("NFC", s.directive.headline)[:60]]
                        for s in ranked],
                       ["score", "topic", "entities", "where", "headline"]))
    for exc in errors:
        _warn(f"skipped {exc}")
    return 1 if errors else 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run

    summary = run(args.inputs, args.out, format=args.format, workers=args.workers, engine=args.engine,
                  scheduler=args.scheduler, model=args.model, input_kind=args.input,
                  shard_size=args.shard_size, progress=not args.quiet)
    return 1 if summary.errors else 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import ReportError, write_report

    if args.max_directives < 1:
        _warn("--max-directives must be at least 1")
        return 2
    try:
        summary = write_report(args.tagged, args.out, title=args.title, max_directives=args.max_directives)
    except ReportError as exc:
        _warn(str(exc))
        return 2
    print(summary)
    return 0


def _command(sub, name: str, help: str, *examples: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with examples."""
    return sub.add_parser(name, help=help, epilog="examples:\n" + "\n".join(f"  {e}" for e in examples),
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vnpolicy",
        description="Tag Vietnamese government directives: split bulletins, tokenize, entities, topics.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

    parser.add_argument("-V", "--version", action="version", version=f"vnpolicy {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    tag = sub.add_parser("tag", help="tag pages or records", epilog=EXAMPLES,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    tag.add_argument("paths", nargs="*", metavar="PATH",
                     help="files or folders to tag (a folder: its *.txt pages, or its *.jsonl files with "
                          "--input jsonl); '-' (or nothing) reads standard input")
    tag.add_argument("--input", choices=["text", "jsonl"], default="text",
                     help="text: each file is a page (default); jsonl: one record with a 'text' key per line")
    tag.add_argument("--format", choices=["jsonl", "table"], default="jsonl",
                     help="jsonl: one JSON object per directive (default); table: a summary for a person, "
                          "100 columns wide")
    tag.add_argument("--wide", action="store_true",
                     help="with --format table: full headlines, topic scores and every entity, however wide")
    tag.add_argument("--tokens", action="store_true", help="include word-token spans")
    tag.add_argument("--model", default=None, metavar="DIR", help="a model set other than the bundled one")
    tag.add_argument("--explain", action="store_true", help="add the words that drove each topic, with their weight (jsonl output)")
    tag.set_defaults(func=cmd_tag)

    train = _command(sub, "train", "train every model from the corpus and write a model set",
                     "vnpolicy train                     rebuild the bundled set (the old one is kept)",
                     "vnpolicy train --promote           replace it only if no headline metric falls",
                     "vnpolicy train --out /tmp/my-set   write a new set elsewhere")
    train.add_argument("--corpus", nargs="*", metavar="DIR", help="corpus files or folders (default: corpora/)")
    train.add_argument("--out", default=None, metavar="DIR", help="write the set here instead of replacing the bundled one")
    train.add_argument("--taxonomy", default=None, metavar="FILE", help="topic taxonomy (default: corpora/taxonomy.json)")
    train.add_argument("--promote", action="store_true",
                       help="replace the bundled set only if no headline metric falls by more than one point")
    train.add_argument("--accept-regression", action="store_true", help="with --promote: promote even so")
    train.set_defaults(func=cmd_train)

    evaluate = _command(sub, "evaluate", "score a model set, or two side by side", "vnpolicy evaluate",
                        "vnpolicy evaluate --gold my-week.jsonl", "vnpolicy evaluate --model /tmp/new-set --against models")
    evaluate.add_argument("--model", default=None, metavar="DIR", help="the model set (default: the bundled one)")
    evaluate.add_argument("--gold", default=None, metavar="FILE", help="gold records (default: the corpus test split)")
    evaluate.add_argument("--against", default=None, metavar="DIR", help="a second set to compare with, per label")
    evaluate.set_defaults(func=cmd_evaluate)

    models = _command(sub, "models", "the bundled set and the earlier ones kept", "vnpolicy models list",
                      "vnpolicy models rollback")
    msub = models.add_subparsers(dest="models_command", required=True)
    _command(msub, "list", "sets with their dates and headline metrics", "vnpolicy models list").set_defaults(func=cmd_models)
    rb = _command(msub, "rollback", "make an earlier set the bundled one again", "vnpolicy models rollback",
                  "vnpolicy models rollback 2026-11-27T045431Z0000")
    rb.add_argument("name", nargs="?", help="a set from `models list` (default: the newest earlier one)")
    rb.set_defaults(func=cmd_models)

    export = _command(sub, "export", "pre-annotated tasks for Label Studio or doccano",
                      "vnpolicy export week.txt --to label-studio --out week.tasks.json",
                      "vnpolicy export records.jsonl --to doccano --out week.doccano.jsonl")
    export.add_argument("path", metavar="PAGE_OR_JSONL", help="a page (.txt) or records, one JSON object a line (.jsonl)")
    export.add_argument("--to", required=True, choices=["label-studio", "doccano"], help="the annotation tool")
    export.add_argument("--out", required=True, metavar="FILE",
                        help="the tasks file to write (Label Studio: also FILE's stem + .label_config.xml)")
    export.add_argument("--model", default=None, metavar="DIR", help="a model set other than the bundled one")
    export.set_defaults(func=cmd_export)

    imp = _command(sub, "import", "corrected annotations back into corpus records",
                   "vnpolicy import export.json --from label-studio --out corpora/directives/week32.jsonl",
                   "vnpolicy import admin.jsonl --from doccano --out corpora/directives/week32.jsonl")
    imp.add_argument("path", metavar="FILE", help="the annotation tool's export (Label Studio JSON, doccano JSONL)")
    imp.add_argument("--from", dest="fmt", required=True, choices=["label-studio", "doccano"],
                     help="the tool that wrote FILE")
    imp.add_argument("--out", required=True, metavar="FILE",
                     help="corpus records to write, e.g. corpora/directives/week32.jsonl (replaced if it exists)")
    imp.set_defaults(func=cmd_import)

    suggest = _command(sub, "suggest", "the directives most worth annotating next", "vnpolicy suggest new-week/ --n 20")
    suggest.add_argument("paths", nargs="+", metavar="PATH", help="pages or JSONL records (files or folders)")
    suggest.add_argument("--n", type=int, default=20, help="how many directives to list (default 20)")
    suggest.add_argument("--model", default=None, metavar="DIR", help="a model set other than the bundled one")
    suggest.set_defaults(func=cmd_suggest)

    batch = _command(sub, "batch", "tag an archive into sharded files: parallel, resumable, local or on Dask",
                     "vnpolicy batch archive/ --out tagged/",
                     "vnpolicy batch 'pages/**/*.txt' --out tagged/ --format parquet --workers 8",
                     "vnpolicy batch records.jsonl --out tagged/ --engine dask --scheduler tcp://10.0.0.5:8786",
                     "(rerun the same command after an interruption: finished shards are kept, the rest is done)")
    batch.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or glob patterns (*.txt pages, *.jsonl)")
    batch.add_argument("--out", required=True, metavar="DIR", help="output folder: shard-*.jsonl|parquet, and _errors.jsonl, _manifest.json")
    batch.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl",
                       help="shard files: jsonl (default) or parquet (one table: pandas.read_parquet(DIR))")
    batch.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    batch.add_argument("--engine", choices=["local", "dask"], default="local",
                       help="local: worker processes on this machine (default); dask: a Dask cluster")
    batch.add_argument("--scheduler", default=None, metavar="ADDRESS", help="a Dask scheduler (default: a local cluster)")
    batch.add_argument("--input", choices=["auto", "text", "jsonl"], default="auto",
                       help="auto: .jsonl files are records, anything else a page")
    batch.add_argument("--shard-size", type=int, default=8, help="pages (or 200-record slices) per shard")
    batch.add_argument("--model", default=None, metavar="DIR", help="a model set other than the bundled one")
    batch.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    batch.set_defaults(func=cmd_batch)

    report = _command(sub, "report", "one HTML file for people who do not write code: charts, agencies, documents, search",
                      "vnpolicy batch archive/ --out tagged/ && vnpolicy report tagged/ --out report.html",
                      "vnpolicy tag week.txt > week.jsonl && vnpolicy report week.jsonl --out week.html")
    report.add_argument("tagged", metavar="TAGGED_DIR",
                        help="a folder written by `vnpolicy batch` (JSONL or Parquet), or JSONL from `vnpolicy tag`")
    report.add_argument("--out", required=True, metavar="FILE",
                        help="the HTML file to write: self-contained, opens offline in any browser")
    report.add_argument("--title", default=None, help="the page's title (default: from the folder's name)")
    report.add_argument("--max-directives", type=int, default=2000, metavar="N",
                        help="list at most the N newest directives (default 2000); the charts count all of them")
    report.set_defaults(func=cmd_report)

    corpus = _command(sub, "corpus", "check and count the annotated corpus", "vnpolicy corpus validate",
                      "vnpolicy corpus validate my-week.jsonl", "vnpolicy corpus stats")
    csub = corpus.add_subparsers(dest="corpus_command", required=True)
    val = _command(csub, "validate", "report every problem as file:line: message", "vnpolicy corpus validate",
                   "vnpolicy corpus validate corpora/directives/week32.jsonl")
    val.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the bundled corpus)")
    val.set_defaults(func=cmd_corpus_validate)
    st = _command(csub, "stats", "counts per topic, subject, province, year and entity label", "vnpolicy corpus stats",
                  "vnpolicy corpus stats --markdown")
    st.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the bundled corpus)")
    st.add_argument("--markdown", action="store_true", help="print the lines of the datasheet's counts section")
    st.set_defaults(func=cmd_corpus_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ModelSetError, BatchError) as exc:  # a model set or an output folder that cannot be used
        _warn(str(exc))
        return 2
    except BrokenPipeError:  # `vnpolicy tag … | head` is normal use
        sys.stderr.close()
        return 0
    except OSError as exc:  # a missing or unreadable file the command needed
        _warn(describe_os_error(exc))
        return 2
    except KeyboardInterrupt:
        _warn("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
