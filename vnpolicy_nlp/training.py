"""Train and evaluate every model from the corpus, and write a model set.

Entities and topics train on the training split only; topic calibration and thresholds use the
dev split; the test split is only ever scored. Predictions are compared with gold in the
original text's offsets, exactly as a user receives them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .corpus import held_out_names, load_taxonomy, read_records, split_records, surface_key
from .entities.augment import AugmentConfig, augment_records
from .entities.crf import CRFTagger, bio_encode
from .entities.tagger import EntityTagger
from .entities.component import EntityComponent
from .structure import StructureComponent
from .evaluation import PRF, DeadlineScore, brier, ece, novelty_recall, span_scores, topic_scores
from .lexicon import alternation, unit_words
from .modelset import BUNDLED, write_model_set
from .taxonomy import entity_labels
from .text import normalize
from .words import syllable_spans
from .topic_component import TopicComponent
from .topics import DirectiveVectorizer, TopicClassifier

__all__ = ["train_model_set", "train_entities", "train_topics", "evaluate_entities", "evaluate_topics",
           "entity_training_docs", "TrainingResult"]

def _log(message: str) -> None:
    print(f"[vnpolicy train] {message}", file=sys.stderr, flush=True)


def _normalised_gold(record: dict) -> tuple[str, list[tuple[int, int, str]]]:
    norm = normalize(record["text"])
    spans = [(norm.to_normalized(e["start"]), norm.to_normalized(e["end"]), e["label"]) for e in record["entities"]]
    return norm.text, spans


def entity_training_docs(records: list[dict]) -> list[tuple[list[str], list[str]]]:
    """``(syllables, BIO tags)`` of each record, in normalised text."""
    docs = []
    for rec in records:
        text, spans = _normalised_gold(rec)
        tokens = syllable_spans(text)
        docs.append(([text[s:e] for s, e in tokens], bio_encode(tokens, spans)))
    return docs


def train_entities(train: list[dict], gazetteers: bool = True, progress: bool = False,
                   augment: AugmentConfig | None = AugmentConfig(), exclude: set[str] = frozenset(),
                   **crf_params) -> EntityTagger:
    """Train the CRF on ``train`` plus its augmented copies (``augment=None``: none). ``exclude``
    holds the names of the unseen-name split, which no copy may draw; ``crf_params`` override
    :class:`CRFTagger`'s (``max_iterations``, ``c1``, ``c2``)."""
    docs = list(train) + (augment_records(train, augment, exclude) if augment else [])
    crf = CRFTagger(gazetteers=gazetteers, **crf_params).fit(entity_training_docs(docs), progress=progress)
    return EntityTagger(crf=crf, mode="full")


def predict_entity_spans(tagger: EntityTagger, text: str) -> set[tuple[int, int, str]]:
    """Spans in the original text's offsets."""
    norm = normalize(text)
    return {(*norm.to_original(s, e), label) for s, e, label in tagger.spans(norm.text)}


def tag_records(tagger: EntityTagger, records: list[dict]) -> list[list]:
    """The tagger's entities (with attributes) of each record's normalised text, once, for the
    evaluations below to share (``found=``) instead of each tagging the records again."""
    return [tagger.tag(normalize(r["text"]).text, province=r.get("province")) for r in records]


def evaluate_entities(tagger: EntityTagger, records: list[dict], seen: set[str] | None = None,
                      found: list[list] | None = None) -> dict:
    """Exact-span P/R/F1 per label; with ``seen`` (surface keys of the training names), also the
    recall on names seen in training and on names never seen (under ``"novelty"``). ``found``:
    the records' :func:`tag_records`, if already made."""
    gold = [{(e["start"], e["end"], e["label"]) for e in r["entities"]} for r in records]
    if found is None:
        pred = [predict_entity_spans(tagger, r["text"]) for r in records]
    else:
        pred = []
        for r, ents in zip(records, found):
            norm = normalize(r["text"])
            pred.append({(*norm.to_original(e.start, e.end), e.label) for e in ents})
    scores = span_scores(gold, pred, entity_labels())
    out = {k: v.as_dict() for k, v in scores.items()}
    if seen is not None:
        out["novelty"] = novelty_recall([r["text"] for r in records], gold, pred, seen, entity_labels(), key=surface_key)
    return out


def evaluate_structure(tagger: EntityTagger, records: list[dict], structure: StructureComponent | None = None,
                       found: list[list] | None = None) -> dict:
    """Deadlines and assignments against records annotated with them (ANNOTATION.md): deadline
    span F1 (exact), date accuracy on matched spans, and assignment triple F1, a triple being
    (agency span, role, deadline span or none). Predictions use the tagger's own entities, with
    roles settled by ``structure``'s role model (the rules' roles when it is None)."""
    from .structure import link_assignments

    structure = structure or StructureComponent()
    if found is None:
        found = [None] * len(records)
    pairs = [(r, f) for r, f in zip(records, found) if "deadlines" in r]
    records = [r for r, _ in pairs]
    deadlines, triples = DeadlineScore(), PRF()
    for r, ents in pairs:
        norm = normalize(r["text"])
        to_n = norm.to_normalized
        ents = tagger.tag(norm.text, province=r.get("province")) if ents is None else ents
        pred = structure.deadlines(norm.text, r.get("date"))
        deadlines.add({(to_n(d["start"]), to_n(d["end"])): d["date"] for d in r["deadlines"]},
                      {(d.start, d.end): d.date for d in pred})
        g_dl = [(to_n(d["start"]), to_n(d["end"])) for d in r["deadlines"]]
        gold_t = set()
        for a in r.get("assignments", []):
            e = r["entities"][a["agency"]]
            gold_t.add(((to_n(e["start"]), to_n(e["end"])), a["role"], g_dl[a["deadline"]] if a["deadline"] is not None else None))
        agencies = structure.settle(norm.text, ents)
        pred_t = {((ents[a.agency].start, ents[a.agency].end), a.role,
                   (pred[a.deadline].start, pred[a.deadline].end) if a.deadline is not None else None)
                  for a in link_assignments(norm.text, agencies, pred)}
        triples.add(gold_t, pred_t)
    accuracy = deadlines.date_accuracy
    return {"records": len(records), "deadline_spans": deadlines.spans.as_dict(),
            "deadline_dates": {"accuracy": None if accuracy is None else round(accuracy, 4), "n": deadlines.dates_n},
            "assignment_triples": triples.as_dict()}


def training_names(train: list[dict]) -> set[str]:
    """Surface keys of every entity of the training records (all labels)."""
    return {surface_key(r["text"][e["start"]:e["end"]]) for r in train for e in r["entities"]}


_UNIT_WORD = re.compile(rf"^({alternation(unit_words())})\s+(.+)$", re.IGNORECASE)


def _reference_codes(surface: str, province: str) -> dict | None:
    """Codes of a pre-2025 unit by vietnamadminunits' own address parser, given the province:
    an independent reference for the tagger's place resolution."""
    from vietnamadminunits import parse_address

    m = _UNIT_WORD.match(surface)
    if not m:
        return None
    level = {"tỉnh": 1, "thành phố": None, "huyện": 2, "quận": 2, "thị xã": 2}.get(m.group(1).lower(), 3)
    if level is None or level == 3:
        return None  # a city may be a province or a district; communes need their district
    try:
        unit = parse_address(f"{surface}, {province}" if level > 1 else surface, mode="LEGACY", level=level)
    except Exception:  # the parser has no answer
        return None
    code = unit.province_code if level == 1 else unit.district_code
    return {"key": "province_code" if level == 1 else "district_code", "code": code} if code else None


def evaluate_attributes(tagger: EntityTagger, records: list[dict], found: list[list] | None = None) -> dict:
    """Accuracy of attributes on gold spans the tagger also found: document types and dates and
    official titles against the annotation, district and province codes against
    vietnamadminunits' parser (pre-2025 records, the record's province as context)."""
    counts = {k: [0, 0] for k in ("doc_type", "doc_date", "official_title", "place_code")}
    for rec, ents in zip(records, found or [None] * len(records)):
        norm = normalize(rec["text"])
        ents = tagger.tag(norm.text, province=rec.get("province")) if ents is None else ents
        found = {(*norm.to_original(e.start, e.end), e.label): e.attrs for e in ents}
        for g in rec["entities"]:
            got = found.get((g["start"], g["end"], g["label"]))
            gold = g.get("attrs") or {}
            if got is None:
                continue
            if g["label"] == "DOC_NUMBER":
                if "type" in gold:
                    counts["doc_type"][0] += got.get("doc_type", "").lower() == gold["type"].lower()
                    counts["doc_type"][1] += 1
                counts["doc_date"][0] += got.get("date") == gold.get("date")
                counts["doc_date"][1] += 1
            elif g["label"] == "OFFICIAL" and "title" in gold:
                counts["official_title"][0] += got.get("title") == gold["title"]
                counts["official_title"][1] += 1
            elif g["label"] == "LOCATION" and rec["date"] < "2025-07-01":
                ref = _reference_codes(g.get("text") or rec["text"][g["start"]:g["end"]], rec["province"])
                if ref is not None:
                    counts["place_code"][0] += got.get(ref["key"]) == ref["code"]
                    counts["place_code"][1] += 1
    return {k: {"accuracy": round(c / n, 4) if n else None, "n": n} for k, (c, n) in counts.items()}


def topic_training_texts(train: list[dict]) -> tuple[list[str], list[list[str]]]:
    """Training texts: every record, plus each directive's headline alone (generated here, never
    stored), so that bare headlines are read as well as full directives."""
    texts = [r["text"] for r in train] + [r["headline"] for r in train if r["kind"] == "directive"]
    labels = [r["topics"] for r in train] + [r["topics"] for r in train if r["kind"] == "directive"]
    return texts, labels


#: Genre families held out in turn when topics are calibrated: one authoring shape each.
GENRE_FOLDS = {"bulletin": "bulletin", "headline": "lines", "register": "lines", "news": "news",
               "decision": "documents", "dispatch": "documents"}


def train_topics(train: list[dict], dev: list[dict], labels: tuple[str, ...], by_genre: bool = True,
                 **params) -> TopicClassifier:
    """Fit on train. Calibration and thresholds come from held-out genres: for each genre family
    (bulletin items, one-line headlines and register lines, news, decisions and dispatches), a
    classifier trained on the other families scores the family's training records, and the
    sigmoids and thresholds are fitted on those out-of-genre scores. With fewer than two families
    in ``train`` (or ``by_genre=False``) they come from ``dev``, as before. The defaults of
    :class:`TopicClassifier` were chosen by cross-validation on train+dev
    (``benchmarks/model_selection.py``), never on test."""
    import numpy as np

    from .corpus import genre_of

    texts, ys = topic_training_texts(train)
    fold_of = {id(r): GENRE_FOLDS.get(genre_of(r), genre_of(r)) for r in train}
    folds = sorted(set(fold_of.values()))
    # every fold's model needs directives with a body to learn from (one-liners alone have none)
    trainable = all(any(r["kind"] == "directive" and fold_of[id(r)] != fold for r in train) for fold in folds)
    if not by_genre or len(folds) < 2 or not trainable:
        return TopicClassifier(tuple(labels), **params).fit(texts, ys, X_calib=[r["text"] for r in dev],
                                                            y_calib=[r["topics"] for r in dev])
    clf = TopicClassifier(tuple(labels), **params)
    # One vectorizer for the final model and every fold: the folds differ only in the rows their
    # regressions see (its IDF saw every training text, but no labels), which keeps retraining fast.
    vectorizer = DirectiveVectorizer(clf.headline_weight, clf.char_weight).fit(texts)
    features = vectorizer.transform(texts)
    clf.fit_features(vectorizer, features, ys)
    # rows of topic_training_texts: each record in order, then each directive's headline
    fold_of_row = [fold_of[id(r)] for r in train] + [fold_of[id(r)] for r in train if r["kind"] == "directive"]
    D = np.zeros((len(train), len(clf.classes_)))
    for fold in folds:
        inside = [i for i, f in enumerate(fold_of_row) if f != fold]
        held = [i for i, r in enumerate(train) if fold_of[id(r)] == fold]
        model = TopicClassifier(tuple(labels), **params).fit_features(vectorizer, features[inside], [ys[i] for i in inside])
        D[held] = model.feature_decisions(features[held])
    return clf.calibrate_from_decisions(D, [r["topics"] for r in train])


def topic_predictions(clf: TopicClassifier, records: list[dict], headline_only: bool = False) -> list:
    """The classifier's :class:`TopicPrediction` of each record (of its headline alone if asked)."""
    return clf.predict_topics([r["headline"] if headline_only else r["text"] for r in records])


def evaluate_topics(clf: TopicClassifier, records: list[dict], headline_only: bool = False) -> dict:
    gold = [r["topics"] for r in records]
    preds = topic_predictions(clf, records, headline_only)
    labels = tuple(str(c) for c in clf.classes_)
    out = topic_scores(gold, [p.topics for p in preds], labels)
    out["calibration"] = brier(gold, [p.scores for p in preds], labels)
    out["ece"] = round(ece(gold, [p.scores for p in preds], labels), 4)
    return out


def topics_by_held_out_genre(train: list[dict], dev: list[dict], records: list[dict],
                             labels: tuple[str, ...]) -> dict[str, tuple[TopicClassifier, list[dict]]]:
    """Leave one genre out: for each genre, a classifier trained and calibrated without any record
    of it, with every record of it (none of which it saw) to score it on. How the topics hold on a
    register the models were not written for."""
    from .corpus import genre_of

    out = {}
    for genre in sorted({genre_of(r) for r in records}):
        held = [r for r in records if genre_of(r) == genre]
        clf = train_topics([r for r in train if genre_of(r) != genre], [r for r in dev if genre_of(r) != genre], labels)
        out[genre] = (clf, held)
    return out


def structure_by_held_out_genre(train: list[dict], records: list[dict]) -> dict[str, tuple[StructureComponent, list[dict]]]:
    """Leave one genre out for the role model: for each genre of ``records`` annotated with
    assignments, a structure stage trained on the training records of the other genres."""
    from .corpus import genre_of

    annotated = [r for r in records if "assignments" in r]
    return {genre: (StructureComponent.train([r for r in train if genre_of(r) != genre]),
                    [r for r in annotated if genre_of(r) == genre])
            for genre in sorted({genre_of(r) for r in annotated})}


def data_hash(records: list[dict]) -> str:
    h = hashlib.sha256()
    for rec in sorted(records, key=lambda r: r["id"]):
        h.update(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def versions() -> dict:
    """The library's and its dependencies' versions, as a manifest records them."""
    from .modelset import dependency_versions

    return dependency_versions()


@dataclass
class TrainingResult:
    out: Path
    metrics: dict
    seconds: float


from .promotion import WEIGHT_IMPORTED  # noqa: E402  (the default of --weight-imported)


def weighted(train: list[dict], weight: int) -> list[dict]:
    """``train`` with each imported record (``imported`` key, written by ``vnpolicy import``)
    repeated ``weight`` times in all: real corrections outweigh authored records."""
    if weight < 1:
        raise ValueError(f"--weight-imported must be at least 1, got {weight}")
    extra = [r for r in train if r.get("imported")] * (weight - 1)
    return train + extra


def train_model_set(corpus: list[Path] | None = None, out: Path = BUNDLED,
                    taxonomy_path: Path | None = None, weight_imported: int = WEIGHT_IMPORTED) -> TrainingResult:
    """Train entities and topics on the training split, score on test, write the set at ``out``.

    Topic labels come from the taxonomy file, so a new topic there (and on some records) is
    trained and predicted with no code change. Imported records weigh ``weight_imported``."""
    from .modelset import check_target

    check_target(Path(out))  # before minutes of training, not after
    t0 = time.perf_counter()
    taxonomy = load_taxonomy(taxonomy_path)
    splits = split_records(corpus)
    train, dev, test = splits["train"], splits["dev"], splits["test"]
    _log(f"corpus: {len(train)} train, {len(dev)} dev, {len(test)} test records")
    unseen = splits["unseen"]
    held = held_out_names(read_records(corpus))
    _log(f"unseen-name split: {len(unseen)} records naming {len(held)} held-out agency and place forms")
    fit_on = weighted(train, weight_imported)
    if len(fit_on) > len(train):
        _log(f"{(len(fit_on) - len(train)) // max(1, weight_imported - 1)} imported records weigh {weight_imported}")
    seen = training_names(train)
    # The CRF (single-threaded, the longest stage) trains and scores in a worker process while this
    # one trains the topics and the structure stage: two cores, about half the wall time.
    _log("training the entity tagger (CRF over syllables, with augmented copies) in a worker, and the topic "
         "classifier and the structure stage here …")
    entity_job = _start_worker(_entity_stage, fit_on, held, test, unseen, seen)
    topics = train_topics(fit_on, dev, taxonomy.topics)
    structure = StructureComponent.train(train)
    test_dir = [r for r in test if r["kind"] == "directive"]
    metrics = {
        "topics_test": evaluate_topics(topics, test),
        "topics_test_directives": evaluate_topics(topics, test_dir),
        "topics_test_headlines_only": evaluate_topics(topics, test, headline_only=True),
    }
    _log(f"  topics and structure done at {time.perf_counter() - t0:.0f} s; waiting for the entity tagger …")
    tagger, test_entities, entity_metrics = entity_job()
    _log(f"  entity tagger trained and scored at {time.perf_counter() - t0:.0f} s; scoring the structure stage …")
    metrics = {"structure_test": evaluate_structure(tagger, test, structure, test_entities), **entity_metrics, **metrics}
    manifest = {
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "labels": {"topics": list(taxonomy.topics), "entities": list(taxonomy.entity_labels)},
        "topic_thresholds": topics.thresholds,
        "topic_params": {k: v for k, v in topics.get_params().items() if k != "labels"},
        "entity_params": {"gazetteer_features": tagger.crf.gazetteers, "c1": tagger.crf.c1, "c2": tagger.crf.c2,
                          "max_iterations": tagger.crf.max_iterations},
        "data": {"train_hash": data_hash(train), "corpus_hash": data_hash(train + dev + test),
                 "sizes": {"train": len(train), "dev": len(dev), "test": len(test), "unseen": len(unseen)},
                 "weight_imported": weight_imported},
        "versions": versions(),
        "metrics": metrics,
    }
    write_model_set(Path(out), [EntityComponent(tagger), TopicComponent(topics), structure], manifest,
                    model_card(manifest))
    seconds = time.perf_counter() - t0
    _log(f"model set written to {out} in {seconds:.0f} s")
    return TrainingResult(Path(out), metrics, seconds)


def _entity_stage(fit_on: list[dict], held: set[str], test: list[dict], unseen: list[dict],
                  seen: set[str]) -> tuple[EntityTagger, list[list], dict]:
    """The entity tagger trained on ``fit_on``, its entities of the test records, and its scores
    on the test and unseen-name splits."""
    tagger = train_entities(fit_on, progress=sys.stderr.isatty(), exclude=held)
    found = tag_records(tagger, test)
    return tagger, found, {"entities_test": evaluate_entities(tagger, test, seen, found),
                           "entities_unseen": evaluate_entities(tagger, unseen, seen),
                           "attributes_test": evaluate_attributes(tagger, test, found)}


def _start_worker(function, *args):
    """Run ``function(*args)`` in a joblib loky worker (which exits with this process) and return
    a callable that waits for its result. With one core, run it here when the result is asked for."""
    import os

    if (os.cpu_count() or 1) < 2:
        return lambda: function(*args)
    from joblib.externals.loky import get_reusable_executor

    future = get_reusable_executor(max_workers=1).submit(function, *args)
    return future.result


def model_card(manifest: dict) -> str:
    m = manifest["metrics"]
    lines = [
        "# Model card: vnpolicy-nlp model set", "",
        f"Created {manifest['created']} by `vnpolicy train` from the corpus training split "
        f"({manifest['data']['sizes']['train']} records; dev {manifest['data']['sizes']['dev']}, "
        f"test {manifest['data']['sizes']['test']}).",
        f"Training data sha256: `{manifest['data']['train_hash']}`.", "",
        "Components, in pipeline order (`manifest.json` lists them with their files): `entities` "
        "(`entities.crfsuite`, the CRF over syllables in CRFsuite's own format, and `entities.json`, its settings; "
        "the library adds document-number patterns, gazetteers, the span resolver and attribute rules), `topics` "
        "(`topics.json`, vocabularies, parameters, Platt calibration and thresholds, and `topics.npz`, weights: "
        "TF-IDF syllable and character n-grams, one logistic regression per topic, calibrated and thresholded on "
        "held-out genre families), `structure` (`structure.json` and `structure.npz`: two logistic regressions over "
        "named features, one keeping the deadlines among the time expressions the rules find, one settling each "
        "agency's role; the rules resolve dates and bind bodies to deadlines).", "",
        "## Entities, test split (exact spans)", "", "| label | P | R | F1 | support |", "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, s in m["entities_test"].items():
        if label != "novelty":
            lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |")
    if "entities_unseen" in m:
        u = m["entities_unseen"]
        lines += ["", f"## Entities, unseen-name split ({manifest['data']['sizes'].get('unseen', 0)} records whose agency or "
                  "place names never occur in training)", "",
                  f"micro-F1 {u['micro']['f1']:.3f}", "", "| label | F1 | recall, seen names | recall, unseen names |",
                  "| --- | ---: | ---: | ---: |"]
        for label, nov in u["novelty"].items():
            lines.append(f"| {label} | {u[label]['f1']:.3f} | {nov['seen']['recall']:.3f} (n={nov['seen']['support']}) | "
                         f"{nov['unseen']['recall']:.3f} (n={nov['unseen']['support']}) |")
    lines += ["", "## Entity attributes, test split (on gold spans the tagger found)", "",
              "| attribute | accuracy | n | reference |", "| --- | ---: | ---: | --- |"]
    refs = {"doc_type": "annotated type", "doc_date": "annotated date (or none)", "official_title": "annotated title",
            "place_code": "vietnamadminunits parser, record's province"}
    for key, a in m["attributes_test"].items():
        acc = "-" if a["accuracy"] is None else f"{a['accuracy']:.3f}"
        lines.append(f"| {key} | {acc} | {a['n']} | {refs[key]} |")
    st = m.get("structure_test")
    if st:
        lines += ["", f"## Deadlines and assignments, test split ({st['records']} annotated records, end to end)", "",
                  f"deadline span F1 {st['deadline_spans']['f1']:.3f}, date accuracy on matched spans "
                  f"{st['deadline_dates']['accuracy'] or 0:.3f}, assignment triple F1 {st['assignment_triples']['f1']:.3f}"]
    for key, title in (("topics_test", "all test records"), ("topics_test_directives", "test directives"),
                       ("topics_test_headlines_only", "headlines alone")):
        t = m[key]
        lines += ["", f"## Topics, {title} (n={t['n']})", "",
                  f"macro-F1 {t['macro_f1']:.3f}, exact-set accuracy {t['exact_set_accuracy']:.3f}", "",
                  "| topic | P | R | F1 | Brier |", "| --- | ---: | ---: | ---: | ---: |"]
        for label, s in t["per_label"].items():
            lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
                         f"{t['calibration']['brier'][label]:.4f} |")
    lines += ["", "## Versions", "", "```", json.dumps(manifest["versions"], indent=2), "```", "",
              "The set holds data only, no pickles: loading it runs no code from it. The loader refuses a set whose "
              "files differ from the sha256 in `manifest.json`, that holds a file the manifest does not list, or "
              "that was made with other major.minor versions of the packages above.", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------ comparing and promoting sets
HEADLINE_METRICS = ("entities micro-F1", "topics macro-F1", "topics exact-set", "headlines macro-F1")
#: The structure stage's own scores (gold spans and roles as input), shown when sets are compared.
STRUCTURE_METRICS = ("deadline span F1", "agency role accuracy (gold spans)", "assignment links F1 (gold roles)")


def live_metrics(model_dir: Path, records: list[dict]) -> dict:
    """A set's metrics on ``records``, computed now (not read from its manifest), so two sets are
    compared on the same data even when the corpus has grown since one of them was trained."""
    from .modelset import read_set

    model_set = read_set(Path(model_dir))
    out: dict = {}
    for name in model_set.component_names:  # each component scores itself
        out.update(model_set.component(name).score(records))
    order = [k for k in HEADLINE_METRICS if k in out]
    return {**{k: out[k] for k in order}, **{k: v for k, v in out.items() if k not in order}}


def regressions(new: dict, old: dict, tolerance: float = 0.01) -> list[str]:
    """Headline metrics that fall by more than ``tolerance`` (one point) from ``old`` to ``new``."""
    return [k for k in HEADLINE_METRICS if k in old and k in new and new[k] < old[k] - tolerance]
