"""The ``vnpolicy`` command."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from .modelset import ModelSetError
from .pipeline import Pipeline, load
from .reading import InputError, read_jsonl_records, read_text
from .record import Directive

EXAMPLES = """examples:
  vnpolicy tag week.txt                       one JSON object per directive
  vnpolicy tag --format table pages/*.txt     a readable summary, one row a directive
  vnpolicy tag --input jsonl records.jsonl    records with a "text" key, one directive each
  cat week.txt | vnpolicy tag -               read standard input
"""


def _warn(message: str) -> None:
    print(f"vnpolicy: {message}", file=sys.stderr)


def _tag_inputs(nlp: Pipeline, paths: list[str], kind: str, errors: list[InputError]) -> Iterator[Directive]:
    for path in paths:
        source = "<stdin>" if path == "-" else path
        if kind == "jsonl":
            for item in read_jsonl_records(path, errors):
                province = item.record.get("province") if isinstance(item.record.get("province"), str) else None
                rec = nlp(item.record["text"], province=province)
                rec.source, rec.index, rec.input = source, item.line - 1, item.record
                yield rec
            continue
        try:
            page = read_text(path)
        except InputError as exc:
            errors.append(exc)
            continue
        records = nlp.tag_bulletin(page, source=source)
        if not records:
            errors.append(InputError(source, "no directive found in the page"))
        yield from records


def _table(records: list[Directive]) -> str:
    """An aligned, human-readable summary: one row a directive."""
    head = ["source", "#", "headline", "topics", "AG", "LOC", "OFF", "DOC", "dup of"]
    rows = []
    for r in records:
        headline = r.headline if len(r.headline) <= 60 else r.headline[:59] + "…"
        counts = {label: 0 for label in ("AGENCY", "LOCATION", "OFFICIAL", "DOC_NUMBER")}
        for ent in r.entities or []:
            counts[ent["label"]] = counts.get(ent["label"], 0) + 1
        topics = "-" if r.topics is None else (",".join(r.topics) or "other")
        rows.append([r.source or "-", str(r.index), headline, topics,
                     *(str(counts[k]) if r.entities is not None else "-" for k in counts),
                     r.duplicate_of.rsplit("-", 1)[-1] if r.duplicate_of else ""])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    weeks = {(r.source, r.bulletin.week_start, r.bulletin.week_end) for r in records if r.bulletin}
    for source, start, end in sorted(weeks, key=str):
        lines.append(f"{source}: bulletin week {start} .. {end}")
    return "\n".join(lines)


def cmd_tag(args: argparse.Namespace) -> int:
    try:
        nlp = load(args.model)
    except ModelSetError as exc:
        _warn(str(exc))
        return 2
    errors: list[InputError] = []
    paths = args.paths or ["-"]
    if args.format == "jsonl":
        out = sys.stdout
        for rec in _tag_inputs(nlp, paths, args.input, errors):
            obj = rec.to_dict(tokens=args.tokens)
            if args.explain and rec.topics is not None:
                obj["explain"] = {t: [[term, w] for term, w in terms] for t, terms in rec.explain().items() if terms}
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        records = list(_tag_inputs(nlp, paths, args.input, errors))
        print(_table(records))
    for exc in errors:
        _warn(f"skipped {exc}")
    return 1 if errors else 0


def cmd_corpus_validate(args: argparse.Namespace) -> int:
    from .corpus import read_records, validate

    problems = validate(args.paths or None)
    for p in problems:
        print(p)
    n = len(read_records(args.paths or None))
    print(f"{n} records checked, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_corpus_stats(args: argparse.Namespace) -> int:
    from .corpus import stats

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
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .training import train_model_set

    from .modelset import BUNDLED

    result = train_model_set(args.corpus or None, args.out or BUNDLED,
                             taxonomy_path=args.taxonomy)
    ents = result.metrics["entities_test"]["micro"]
    tops = result.metrics["topics_test"]
    print(f"entities (test) micro-F1 {ents['f1']:.3f}; topics (test) macro-F1 {tops['macro_f1']:.3f}, "
          f"exact-set {tops['exact_set_accuracy']:.3f}; {result.seconds:.0f} s; written to {result.out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import format_table
    from .modelset import BUNDLED, read_manifest

    model = args.model or BUNDLED
    try:
        metrics = read_manifest(model)["metrics"]
    except ModelSetError as exc:
        _warn(str(exc))
        return 2
    rows = [[label, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", s["support"]]
            for label, s in metrics["entities_test"].items()]
    print(f"{model}: entities, test split")
    print(format_table(rows, ["label", "P", "R", "F1", "support"]))
    for key in ("topics_test", "topics_test_headlines_only"):
        t = metrics[key]
        print(f"\n{model}: {key.replace('_', ' ')} (macro-F1 {t['macro_f1']:.3f}, exact {t['exact_set_accuracy']:.3f})")
        print(format_table([[label, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", s["support"]]
                            for label, s in t["per_label"].items()], ["topic", "P", "R", "F1", "support"]))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import BatchError, run

    try:
        summary = run(args.inputs, args.out, format=args.format, workers=args.workers, engine=args.engine,
                      scheduler=args.scheduler, model=args.model, input_kind=args.input,
                      shard_size=args.shard_size, progress=not args.quiet)
    except (BatchError, ModelSetError) as exc:
        _warn(str(exc))
        return 2
    return 1 if summary.errors else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vnpolicy",
        description="Tag Vietnamese government directives: split bulletins, tokenize, entities, topics.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    tag = sub.add_parser("tag", help="tag pages or records", epilog=EXAMPLES,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    tag.add_argument("paths", nargs="*", metavar="PATH", help="files to tag; '-' (or nothing) reads stdin")
    tag.add_argument("--input", choices=["text", "jsonl"], default="text",
                     help="text: each file is a page (default); jsonl: one record with a 'text' key per line")
    tag.add_argument("--format", choices=["jsonl", "table"], default="jsonl", help="output format (default jsonl)")
    tag.add_argument("--tokens", action="store_true", help="include word-token spans")
    tag.add_argument("--model", default=None, metavar="DIR", help="a model set other than the bundled one")
    tag.add_argument("--explain", action="store_true", help="add the terms that drove each topic (jsonl output)")
    tag.set_defaults(func=cmd_tag)

    train = sub.add_parser("train", help="train every model from the corpus and write a model set",
                           epilog="examples:\n  vnpolicy train                     retrain the bundled set in models/\n"
                                  "  vnpolicy train --out /tmp/my-set   write a new set elsewhere",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    train.add_argument("--corpus", nargs="*", metavar="DIR", help="corpus files or folders (default: corpora/)")
    train.add_argument("--out", default=None, metavar="DIR", help="where to write the set (default: the bundled models/)")
    train.add_argument("--taxonomy", default=None, metavar="FILE", help="topic taxonomy (default: corpora/taxonomy.json)")
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", help="print a model set's test metrics",
                              epilog="examples:\n  vnpolicy evaluate\n  vnpolicy evaluate --model /tmp/my-set",
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    evaluate.add_argument("--model", default=None, metavar="DIR", help="the model set (default: the bundled one)")
    evaluate.set_defaults(func=cmd_evaluate)

    batch = sub.add_parser(
        "batch", help="tag an archive into sharded files: parallel, resumable, local or on Dask",
        epilog="examples:\n  vnpolicy batch archive/ --out tagged/\n"
               "  vnpolicy batch 'pages/**/*.txt' --out tagged/ --format parquet --workers 8\n"
               "  vnpolicy batch records.jsonl --out tagged/ --engine dask --scheduler tcp://10.0.0.5:8786\n"
               "Rerun the same command after an interruption: finished shards are kept, the rest is done.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    batch.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or glob patterns (*.txt pages, *.jsonl)")
    batch.add_argument("--out", required=True, metavar="DIR", help="output folder (shards, errors.jsonl, manifest.json)")
    batch.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    batch.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    batch.add_argument("--engine", choices=["local", "dask"], default="local")
    batch.add_argument("--scheduler", default=None, metavar="ADDRESS", help="a Dask scheduler (default: a local cluster)")
    batch.add_argument("--input", choices=["auto", "text", "jsonl"], default="auto",
                       help="auto: .jsonl files are records, anything else a page")
    batch.add_argument("--shard-size", type=int, default=8, help="pages (or 200-record slices) per shard")
    batch.add_argument("--model", default=None, metavar="DIR")
    batch.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    batch.set_defaults(func=cmd_batch)

    corpus = sub.add_parser("corpus", help="check and count the annotated corpus",
                            epilog="examples:\n  vnpolicy corpus validate\n  vnpolicy corpus validate my-week.jsonl\n"
                                   "  vnpolicy corpus stats",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    csub = corpus.add_subparsers(dest="corpus_command", required=True)
    val = csub.add_parser("validate", help="report every problem as file:line: message")
    val.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the bundled corpus)")
    val.set_defaults(func=cmd_corpus_validate)
    st = csub.add_parser("stats", help="counts per topic, subject, province, year and entity label")
    st.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the bundled corpus)")
    st.add_argument("--markdown", action="store_true", help="print the lines of the datasheet's counts section")
    st.set_defaults(func=cmd_corpus_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `vnpolicy tag … | head` is normal use
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        _warn("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
