"""How much should imported real corrections weigh? (the default of `vnpolicy train --weight-imported`)

    python benchmarks/weight_imported.py [--provinces "Lạng Sơn" "Cao Bằng"] [--weights 1 2 3 5]

Simulates a site adapting the library to its province: for each province, half of its records
(by near-duplicate group, so no copy crosses) play the team's imported corrections and the other
half the team's own gold (the judge, never trained on); every other record is the authored
corpus. For each weight, the entity tagger and the topic classifier are trained exactly as
`vnpolicy train` does, and scored on the judge. Prints one table row per province and weight.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from vnpolicy_nlp.corpus import _unit_hash, assign_splits, held_out_names, near_duplicate_groups, read_records
    from vnpolicy_nlp.evaluation import format_table
    from vnpolicy_nlp.taxonomy import load_taxonomy
    from vnpolicy_nlp.training import evaluate_entities, evaluate_topics, train_entities, train_topics, weighted

    ap = argparse.ArgumentParser()
    ap.add_argument("--provinces", nargs="+", default=["Lạng Sơn", "Cao Bằng"])
    ap.add_argument("--weights", nargs="+", type=int, default=[1, 2, 3, 5])
    args = ap.parse_args()

    records = read_records()
    groups = near_duplicate_groups(records)
    splits = assign_splits(records)
    held = held_out_names(records)
    topics = load_taxonomy().topics
    rows = []
    for province in args.provinces:
        mine = {groups[r.id] for r in records if not r.augmented and r.data["province"] == province}
        judge_groups = {g for g in mine if _unit_hash("judge:" + g) < 0.5}
        judge, train, dev = [], [], []
        for r in records:
            g = groups[r.id]
            if g in judge_groups:
                if r.data["province"] == province and not r.augmented:
                    judge.append(r.data)
                continue  # copies of a judge record never train
            if g in mine and r.data["province"] == province and not r.augmented:
                train.append(dict(r.data, imported="annotated"))
            elif splits[r.id] == "train":
                train.append(r.data)
            elif splits[r.id] == "dev":
                dev.append(r.data)
        n_imported = sum(1 for r in train if r.get("imported"))
        for w in args.weights:
            t0 = time.perf_counter()
            fit_on = weighted(train, w)
            tagger = train_entities(fit_on, exclude=held)
            clf = train_topics(fit_on, dev, topics)
            ents = evaluate_entities(tagger, judge)["micro"]
            tops = evaluate_topics(clf, judge)
            rows.append([province, str(n_imported), str(len(judge)), str(w), f"{ents['f1']:.3f}",
                         f"{tops['macro_f1']:.3f}", f"{tops['exact_set_accuracy']:.3f}",
                         f"{time.perf_counter() - t0:.0f}"])
            print(rows[-1], file=sys.stderr, flush=True)
    print(format_table(rows, ["province", "imported", "judge", "weight", "entities micro-F1", "topics macro-F1",
                              "topics exact-set", "seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
