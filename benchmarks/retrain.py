"""Time a full retrain from the bundled corpus, and check the new set tags like the bundled one.

    python benchmarks/retrain.py

Runs `vnpolicy train --out TMP` (the annotator's command) in a fresh process, then tags every
bundled page with the new set and with the bundled set and compares the records. Training is
deterministic, so the two should agree exactly when the bundled set was built from this corpus.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    import vnpolicy_nlp as vp

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "vnpolicy_nlp.cli", "train", "--out", str(out)], check=True,
                       cwd=ROOT, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        new, bundled = vp.load(out), vp.load()
        pages = sorted((ROOT / "corpora" / "pages").glob("*.txt"))
        same = total = 0
        for p in pages:
            text = p.read_bytes().decode("utf-8")
            for a, b in zip(new.tag_bulletin(text), bundled.tag_bulletin(text)):
                total += 1
                same += json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)
        print(f"full retrain (vnpolicy train, fresh process): {seconds:.1f} s on this machine (target ≤ 60 s, issue 13)")
        print(f"tagging {len(pages)} pages with the new set: {same} of {total} directives identical to the bundled set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
