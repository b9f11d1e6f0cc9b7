"""Speed of the pipeline and of each stage, next to underthesea, measured in one run on the same text.

    python benchmarks/throughput.py [--repeat 3] [--ner-pages 6] [PAGE ...]

Default text: every authored page of corpora/pages. Prints characters and directives per second
and the ratio to ``underthesea.word_tokenize`` (the peer), best of ``--repeat`` runs each, then
the batch job with 1 and 2 workers on an archive of copies of the pages (with an estimate for a
national archive), the time to import the library and load the models, and peak memory. ``underthesea.ner`` is slow, so it runs on the
first ``--ner-pages`` pages and its rate is scaled to characters per second like the others.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ner-pages", type=int, default=6)
    parser.add_argument("--copies", type=int, default=20, help="copies of each page in the batch benchmark archive")
    args = parser.parse_args(argv)
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
