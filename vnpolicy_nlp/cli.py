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
from .reading import InputError, read_jsonl_records
from .display import summary_table
from .record import Directive
from .promotion import WEIGHT_IMPORTED

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


def _load_gold(path: str) -> list[dict] | None:
    """Validated gold records from the user's file, or None after saying why not."""
    from .corpus import check_record, load_taxonomy, read_records

    if not Path(path).exists():
        _warn(f"{path}: no such file")
        return None
    problems: list[str] = []
    loaded = read_records([path], problems)
    taxonomy = load_taxonomy()
    problems += [f"{r.where}: {m}" for r in loaded for m in check_record(r.data, taxonomy)]
    if problems or not loaded:
        for p in problems[:20]:
            _warn(p)
        _warn(f"{path}: not usable as gold: it needs corpus records (id, text, headline, topics, entities, …)"
              if loaded or problems else f"{path}: no records")
        return None
    return [r.data for r in loaded]


def cmd_train(args: argparse.Namespace) -> int:
    import os
    import shutil
    import tempfile

    from . import modelset
    from .promotion import gate
    from .training import train_model_set

    BUNDLED, HISTORY = modelset.BUNDLED, modelset.HISTORY

    if args.promote and args.out:
        _warn("--promote replaces the bundled set; it does not take --out")
        return 2
    if not args.promote and not args.out:
        _warn(f"where should the new set go? `--out DIR` writes it there; `--promote` replaces {BUNDLED} "
              "only if it passes the gate (the bundled set is never overwritten otherwise)")
        return 2
    if args.judge and not args.promote:
        _warn("--judge decides a promotion; use it with --promote (or `vnpolicy evaluate --gold`)")
        return 2
    judge = None
    if args.judge:
        from .promotion import leaked

        judge = _load_gold(args.judge)
        if judge is None:
            return 2
        seen = leaked(judge, args.corpus or None)
        if seen:  # before minutes of training, not after
            _warn(f"{args.judge}: {len(seen)} judge record(s) are also in the training corpus ({', '.join(seen[:5])}); "
                  "a judge must be data the set never saw: keep your gold outside the corpus")
            return 2
    if args.out:
        result = train_model_set(args.corpus or None, Path(args.out), taxonomy_path=args.taxonomy,
                                 weight_imported=args.weight_imported)
        _print_training(result)
        return 0
    if BUNDLED == modelset.PACKAGED:
        _warn(f"this is an installed vnpolicy-nlp: its bundled set ({BUNDLED}) is not replaced; "
              "write a new set with --out DIR and use it with --model DIR")
        return 2
    modelset.clean_leftovers(BUNDLED.parent)
    candidate = Path(tempfile.mkdtemp(prefix=f".candidate-{os.getpid()}-", dir=BUNDLED.parent)) / "set"
    try:
        result = train_model_set(args.corpus or None, candidate, taxonomy_path=args.taxonomy,
                                 weight_imported=args.weight_imported)
        _print_training(result)
        if (BUNDLED / "manifest.json").exists():
            verdict = gate(candidate, BUNDLED, args.corpus or None, judge=judge, judge_name=args.judge)
            print(verdict.table)
            if verdict.refusal:
                _warn(verdict.refusal)
                return 2
            if verdict.fallen and not args.accept_regression:
                _warn(f"not promoted: {', '.join(verdict.fallen)} fell by more than one point on {verdict.judged_on} "
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
    from . import modelset
    from .corpus import split_records
    from .training import live_metrics

    BUNDLED = modelset.BUNDLED

    if args.gold:
        records = _load_gold(args.gold)
        if records is None:
            return 2
    else:
        records = split_records()["test"]
    where = args.gold or "the corpus test split"
    model = Path(args.model) if args.model else BUNDLED
    mine = live_metrics(model, records)
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
    if args.gold:
        from .promotion import gold_report

        print(f"\n{name} per label on {where}, 95 % bootstrap intervals over records:")
        print(format_table(gold_report(Path(args.model) if args.model else BUNDLED, records),
                           ["kind", "label", "support", "F1", "95 % interval"]))
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
    stem = Path(args.out).stem
    print(f"{n} tasks written to {args.out}" + (f" (labelling config: {stem}.label_config.xml)"
                                                if args.to == "label-studio" else
                                                f" (for an 'Intent Detection and Slot Filling' project; label "
                                                f"types: {stem}.span_types.json, {stem}.category_types.json)"))
    return 1 if errors else 0


def cmd_import(args: argparse.Namespace) -> int:
    """Corrected tasks into the corpus: all or nothing, every bad item named, every change said."""
    from .annotation import import_tasks
    from .corpus import CORPUS_DIR
    from .corpus_update import apply_plan, plan_import

    if not Path(args.path).exists():
        _warn(f"{args.path}: no such file")
        return 2
    result = import_tasks(Path(args.path), args.fmt, accept_predictions=args.accept_predictions)
    mode = "append" if args.append else "replace" if args.replace else None
    corpus = [Path(p) for p in args.corpus] if args.corpus is not None else [CORPUS_DIR / "directives"]
    plan = plan_import(result.records, Path(args.out), mode, corpus) if result.records else None
    problems = result.problems + (plan.problems if plan else [])
    for p in problems:
        print(p, file=sys.stderr)
    for note in result.notes:
        _warn(note)
    if result.skipped:
        _warn(f"{result.skipped} skipped task(s) left out")
    if result.unannotated:
        _warn(f"{result.unannotated} task(s) had no annotation and were left out"
              + ("" if args.accept_predictions else " (--accept-predictions imports the model's predictions)"))
    if result.untouched:
        _warn(f"{result.untouched} record(s) are exactly the model's pre-annotation: confirmed as they were, or "
              "never opened? (in doccano, export with 'Export only approved documents')")
    if result.predicted:
        _warn(f"{result.predicted} task(s) imported from the model's predictions (--accept-predictions)")
    if problems:
        print(f"nothing written: {len(problems)} problem(s); fix them and import again", file=sys.stderr)
        return 1
    if plan is None:
        print(f"no annotated task in {args.path}; nothing written")
        return 0
    apply_plan(plan)
    for line in plan.changes:
        print(f"replaced {line}")
    if plan.unchanged:
        print(f"{len(plan.unchanged)} corpus record(s) confirmed unchanged")
    print(f"{len(plan.added)} new record(s) written to {args.out}; {len(plan.changes)} corpus record(s) corrected")
    return 0


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
                     "vnpolicy train --promote           replace the bundled set only if nothing falls on dev",
                     "vnpolicy train --promote --judge ~/gold/week-1-8.jsonl   judge on your own gold",
                     "vnpolicy train --out /tmp/my-set   write a new set elsewhere")
    train.add_argument("--corpus", nargs="*", metavar="DIR", help="corpus files or folders (default: corpora/)")
    train.add_argument("--out", default=None, metavar="DIR", help="write the set here instead of replacing the bundled one")
    train.add_argument("--taxonomy", default=None, metavar="FILE", help="topic taxonomy (default: corpora/taxonomy.json)")
    train.add_argument("--promote", action="store_true",
                       help="replace the bundled set only if no headline metric falls by more than one point")
    train.add_argument("--accept-regression", action="store_true", help="with --promote: promote even so")
    train.add_argument("--judge", default=None, metavar="GOLD.jsonl",
                       help="with --promote: decide on your own gold records (kept outside the repository) "
                            "instead of the corpus dev and unseen-name splits")
    train.add_argument("--weight-imported", type=int, default=WEIGHT_IMPORTED, metavar="N",
                       help=f"count each imported correction N times in training (default {WEIGHT_IMPORTED})")
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
    imp.add_argument("path", metavar="FILE", help="the annotation tool's export (Label Studio JSON, JSON-MIN or "
                     "snapshot; doccano JSONL or zip)")
    imp.add_argument("--from", dest="fmt", required=True, choices=["label-studio", "doccano"],
                     help="the tool that wrote FILE")
    imp.add_argument("--out", required=True, metavar="FILE", help="new records go here (corrections of corpus "
                     "records replace them, by id, in the file that holds them)")
    how = imp.add_mutually_exclusive_group()
    how.add_argument("--append", action="store_true", help="--out exists: add to it, replacing records by id")
    how.add_argument("--replace", action="store_true", help="--out exists: overwrite it")
    imp.add_argument("--accept-predictions", action="store_true",
                     help="import tasks nobody annotated with the model's predictions as gold (off by default)")
    imp.add_argument("--corpus", nargs="*", default=None, metavar="PATH",
                     help="corpus files or folders whose ids a correction replaces (default: corpora/directives)")
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
