"""The ``vnpolicy`` command."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

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
                rec = nlp(item.record["text"])
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
    head = ["source", "#", "headline", "tokens", "duplicate_of"]
    rows = []
    for r in records:
        headline = r.headline if len(r.headline) <= 70 else r.headline[:69] + "…"
        rows.append([r.source or "-", str(r.index), headline, str(len(r.tokens)),
                     r.duplicate_of.rsplit("-", 1)[-1] if r.duplicate_of else ""])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    weeks = {(r.source, r.bulletin.week_start, r.bulletin.week_end) for r in records if r.bulletin}
    for source, start, end in sorted(weeks, key=str):
        lines.append(f"{source}: bulletin week {start} .. {end}")
    return "\n".join(lines)


def cmd_tag(args: argparse.Namespace) -> int:
    nlp = load(args.model)
    errors: list[InputError] = []
    paths = args.paths or ["-"]
    if args.format == "jsonl":
        out = sys.stdout
        for rec in _tag_inputs(nlp, paths, args.input, errors):
            out.write(json.dumps(rec.to_dict(tokens=args.tokens), ensure_ascii=False) + "\n")
    else:
        records = list(_tag_inputs(nlp, paths, args.input, errors))
        print(_table(records))
    for exc in errors:
        _warn(f"skipped {exc}")
    return 1 if errors else 0


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
    tag.set_defaults(func=cmd_tag)
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
