"""Speed of the pipeline and of each stage, next to underthesea, measured in one run on the same text.

    python benchmarks/throughput.py [--repeat 3] [--ner-pages 6] [PAGE ...]

Default text: every authored page of corpora/pages. Prints characters and directives per second
and the ratio to ``underthesea.word_tokenize`` (the peer), best of ``--repeat`` runs each, then
the batch job with 1 and 2 workers on an archive of copies of the pages (with an estimate for a
national archive), the time to import the library and load the models, and peak memory. ``underthesea.ner`` is slow, so it runs on the
first ``--ner-pages`` pages and its rate is scaled to characters per second like the others.

    python benchmarks/throughput.py --curves 0.1 1 10 50 [--kinds page text line jsonl html]

prints only the cost curves: seconds and peak resident memory of ``vnpolicy tag`` (a fresh
process each) against input size, for a file of bulletin pages, a text that is not a bulletin,
one single line, a JSONL file of one huge record and an HTML page.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def import_and_load_seconds() -> float:
    """A fresh interpreter: import vnpolicy_nlp, load the bundled models, tag one line."""
    code = ("import time; t=time.perf_counter(); import vnpolicy_nlp as vp; nlp=vp.load(); "
            "nlp('UBND tỉnh Lạng Sơn chỉ đạo.'); print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip())


def worker_peak_mb(paths: list[Path]) -> float:
    """Peak memory of one batch worker: a fresh process does what a worker of ``vnpolicy batch``
    does (load the pipeline, tag every shard, write it) and reports its own peak, so nothing of
    this process (underthesea, the benchmarks above) is counted."""
    import tempfile

    # VmHWM, not ru_maxrss: after fork and exec, ru_maxrss still counts the parent's peak.
    code = ("import re, sys\n"
            "from vnpolicy_nlp.batch import plan_shards, tag_shard\n"
            "for shard in plan_shards(sys.argv[2:]):\n"
            "    tag_shard(shard, sys.argv[1], 'jsonl', None)\n"
            "status = open('/proc/self/status').read()\n"
            "print(int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) / 1024)\n")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", code, tmp, *map(str, paths)],
                             capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def batch_rows(paths: list[Path], copies: int) -> list[tuple[int, float, float]]:
    """Time ``vnpolicy batch`` with 1 and 2 workers on ``copies`` copies of every page."""
    import shutil
    import tempfile

    import vnpolicy_nlp as vp

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        archive.mkdir()
        for k in range(copies):
            for p in paths:
                shutil.copy(p, archive / f"{k:02d}-{p.name}")
        n = len(paths) * copies
        for workers in (1, 2):
            out = Path(tmp) / f"out-{workers}"
            t0 = time.perf_counter()
            vp.batch.run([str(archive)], out, workers=workers, progress=False)
            secs = time.perf_counter() - t0
            rows.append((workers, secs, n / secs))
    return rows


KINDS = ("page", "text", "line", "jsonl", "html")


def make_input(kind: str, size: int) -> tuple[bytes, str]:
    """An input of about ``size`` bytes of the given kind, made of the authored pages' own
    paragraphs: a bulletin page (title, then headline + body directives), a text that is not a
    bulletin, the same as one single line, a JSONL file of one huge record, an HTML page."""
    import json

    page = (ROOT / "corpora" / "pages" / "example.txt").read_text(encoding="utf-8")
    paras = [p for p in page.split("\n\n") if len(p) > 200]
    body = "\n\n".join(paras) + "\n\n"
    reps = max(1, size // len(body.encode("utf-8")) + 1)
    if kind == "page":
        text = page * max(1, size // len(page.encode("utf-8")))  # pages one after another
        return text.encode("utf-8")[:size].decode("utf-8", "ignore").encode("utf-8"), ".txt"
    text = (body * reps).encode("utf-8")[:size].decode("utf-8", "ignore")
    if kind == "text":
        return text.encode("utf-8"), ".txt"
    if kind == "line":
        return text.replace("\n", " ").encode("utf-8"), ".txt"
    if kind == "jsonl":
        return (json.dumps({"text": text}, ensure_ascii=False) + "\n").encode("utf-8"), ".jsonl"
    html = "".join(f"<p>{p}</p>\n" for p in text.split("\n\n"))
    return f"<!DOCTYPE html><html><body><nav>Trang chủ</nav><main>{html}</main></body></html>".encode("utf-8"), ".html"


def curve_point(kind: str, size: int) -> dict:
    """Tag one generated input with ``vnpolicy tag`` in a fresh process: seconds, peak RSS."""
    import json
    import tempfile

    data, suffix = make_input(kind, size)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        args = ["tag", str(path)] + (["--input", "jsonl"] if kind == "jsonl" else [])
        code = ("import resource, sys, time; from vnpolicy_nlp.cli import main; import vnpolicy_nlp as vp; "
                "vp.load()('UBND tỉnh.'); t = time.perf_counter(); r0 = resource.getrusage(resource.RUSAGE_SELF); "
                f"rc = main({args!r}); s = time.perf_counter() - t; r1 = resource.getrusage(resource.RUSAGE_SELF); "
                "print(s, r1.ru_maxrss / 1024, rc, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, "
                "file=sys.stderr)")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
        last = proc.stderr.strip().splitlines()[-1].split()
        out_lines = proc.stdout.count("\n")
    return {"kind": kind, "bytes": len(data), "seconds": float(last[0]), "rss_mb": float(last[1]),
            "records": out_lines, "cpu": float(last[3])}


def curves(sizes_mb: list[float], kinds: tuple[str, ...] = KINDS) -> None:
    """Time and peak memory against input size, each kind; the ratio column is the CPU time of
    a size over that of the size before it, divided by the ratio of the sizes (1.0: linear).
    CPU seconds are shown beside wall seconds because a shared machine stretches the latter."""
    print(f"{'kind':<6} {'MB':>7} {'seconds':>9} {'CPU s':>8} {'peak RSS MB':>12} {'records':>8} {'CPU s/MB':>9} "
          f"{'vs linear':>10}")
    for kind in kinds:
        previous = None
        for mb in sizes_mb:
            point = curve_point(kind, int(mb * 1024 * 1024))
            ratio = ""
            if previous:
                ratio = f"{(point['cpu'] / previous['cpu']) / (point['bytes'] / previous['bytes']):.2f}"
            print(f"{kind:<6} {point['bytes'] / 2**20:>7.2f} {point['seconds']:>9.2f} {point['cpu']:>8.2f} "
                  f"{point['rss_mb']:>12.0f} {point['records']:>8} {point['cpu'] / (point['bytes'] / 2**20):>9.2f} "
                  f"{ratio:>10}", flush=True)
            previous = point


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ner-pages", type=int, default=6)
    parser.add_argument("--copies", type=int, default=20, help="copies of each page in the batch benchmark archive")
    parser.add_argument("--curves", nargs="*", type=float, metavar="MB", default=None,
                        help="only the cost curves: time and peak memory of `vnpolicy tag` at these input sizes "
                             "in MB (default 0.1 1 10) for each kind of input")
    parser.add_argument("--kinds", nargs="*", choices=KINDS, default=list(KINDS))
    args = parser.parse_args(argv)
    if args.curves is not None:
        curves(args.curves or [0.1, 1, 10], tuple(args.kinds))
        return 0
    paths = args.pages or sorted((ROOT / "corpora" / "pages").glob("*.txt"))
    pages = [p.read_bytes().decode("utf-8") for p in paths]
    chars = sum(len(p) for p in pages)

    from underthesea import ner, word_tokenize

    import vnpolicy_nlp as vp
    from vnpolicy_nlp.bulletin import split_page
    from vnpolicy_nlp.text import normalize
    from vnpolicy_nlp.words import tokenize_normalized

    nlp = vp.load()
    nlp.tag_bulletin(pages[0])
    word_tokenize("khởi động")
    directives = []
    for p in pages:
        norm = normalize(p)
        directives += [norm.text[d.start:d.end] for d in split_page(norm.text).directives]
    n_dir = len(directives)

    rows = []
    peer = best_of(args.repeat, lambda: [word_tokenize(p) for p in pages])
    rows.append(("underthesea.word_tokenize (peer)", peer, chars))
    ner_pages = pages[: args.ner_pages]
    ner_chars = sum(len(p) for p in ner_pages)
    ner_s = best_of(1, lambda: [ner(line) for p in ner_pages for line in p.split("\n") if line.strip()])
    rows.append(("underthesea.ner", ner_s * chars / ner_chars, chars))
    rows.append(("stage: normalise + split", best_of(args.repeat, lambda: [split_page(normalize(p).text) for p in pages]),
                 chars))
    rows.append(("stage: tokenize", best_of(args.repeat, lambda: [tokenize_normalized(d) for d in directives]), chars))

    def split_and_tokenize():
        for p in pages:
            norm = normalize(p)
            for d in split_page(norm.text).directives:
                tokenize_normalized(norm.text[d.start:d.end])

    rows.append(("normalise + split + tokenize", best_of(args.repeat, split_and_tokenize), chars))
    if nlp.entities is not None:
        rows.append(("stage: entities", best_of(args.repeat, lambda: [nlp.entities.tag(d) for d in directives]), chars))
        topics = nlp.get("topics") if hasattr(nlp, "get") else None
        score = topics.scorer.predict_topics if topics is not None else nlp.topics.predict
        rows.append(("stage: topics", best_of(args.repeat, lambda: score(directives)), chars))
    rows.append(("vnpolicy full pipeline (tag_bulletin)", best_of(args.repeat, lambda: [nlp.tag_bulletin(p) for p in pages]),
                 chars))
    rows.append(("  the same, with word tokens (--tokens)",
                 best_of(args.repeat, lambda: [r.tokens for p in pages for r in nlp.tag_bulletin(p)]), chars))

    print(f"text: {len(pages)} pages, {n_dir} directives, {chars:,} characters; best of {args.repeat} "
          f"(underthesea.ner: {len(ner_pages)} pages, scaled)")
    print(f"{'what':<40} {'seconds':>8} {'chars/s':>10} {'directives/s':>13} {'vs word_tokenize':>17}")
    for name, secs, _ in rows:
        print(f"{name:<40} {secs:>8.3f} {chars / secs:>10,.0f} {n_dir / secs:>13,.1f} {peer / secs:>16.2f}x")
    batch_rates = batch_rows(paths, args.copies)
    print(f"\nbatch job (vnpolicy batch, local engine) on {len(paths) * args.copies} pages "
          f"({args.copies} copies of each page):")
    print(f"{'workers':<10} {'seconds':>8} {'pages/s':>9} {'chars/s':>10} {'directives/s':>13} {'speed-up':>9}")
    for workers, secs, pages_s in batch_rates:
        print(f"{workers:<10} {secs:>8.2f} {pages_s:>9.1f} {chars * args.copies / secs:>10,.0f} "
              f"{n_dir * args.copies / secs:>13,.1f} {pages_s / batch_rates[0][2]:>8.2f}x")
    per_worker = batch_rates[-1][2] / batch_rates[-1][0]
    national = 63 * 10 * 50
    print(f"\nestimate for a national archive (63 provinces x 10 years x 50 pages = {national:,} pages), "
          f"at the measured {per_worker:.1f} pages/s per worker with 2 workers:")
    for n in (1, 8, 64):
        print(f"  {n:>2} Dask workers: {national / (per_worker * n) / 3600:6.2f} h")
    loads = sorted(import_and_load_seconds() for _ in range(5))
    print(f"\nimport + load models + first call, fresh process: {loads[2]:.2f} s (median of 5; "
          f"min {loads[0]:.2f}, max {loads[-1]:.2f})")
    print(f"peak memory of this process (pipeline and underthesea): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"of one batch worker tagging every page: {worker_peak_mb(paths):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
