"""Speed of the pipeline next to underthesea, measured in one run on the same text.

    python benchmarks/throughput.py [--repeat 3] [PAGE ...]

Default text: every authored page of corpora/pages. Prints a table of characters per second and
the ratio to ``underthesea.word_tokenize`` (the peer), best of ``--repeat`` runs each.
"""
from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    paths = args.pages or sorted((ROOT / "corpora" / "pages").glob("*.txt"))
    pages = [p.read_bytes().decode("utf-8") for p in paths]
    chars = sum(len(p) for p in pages)

    t0 = time.perf_counter()
    from underthesea import word_tokenize
    import vnpolicy_nlp as vp

    nlp = vp.load()
    nlp.tag_bulletin("Khởi động\n\nUBND tỉnh chỉ đạo.")  # load lazily held resources
    word_tokenize("khởi động")
    load_s = time.perf_counter() - t0

    rows = []
    peer = best_of(args.repeat, lambda: [word_tokenize(p) for p in pages])
    rows.append(("underthesea.word_tokenize", peer))
    ours = best_of(args.repeat, lambda: [nlp.tag_bulletin(p) for p in pages])
    rows.append(("vnpolicy normalise+split+tokenize", ours))

    print(f"text: {len(pages)} pages, {chars:,} characters; best of {args.repeat}; import+load {load_s:.2f} s")
    print(f"{'stage':<36} {'seconds':>8} {'chars/s':>12} {'vs word_tokenize':>17}")
    for name, secs in rows:
        print(f"{name:<36} {secs:>8.3f} {chars / secs:>12,.0f} {peer / secs:>16.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
