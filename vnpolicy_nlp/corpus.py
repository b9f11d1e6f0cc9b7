"""The annotated corpus: read, validate, split and load it.

Records follow ANNOTATION.md (one JSON object per line). Splits are fixed by a stable hash, so a
record never changes split when the corpus grows; near-duplicate records are hashed as one group,
so no near-copy of a test record can sit in training. Augmented records (``corpora/augmented``)
only ever join the training split.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .markup import GENRES, KINDS, ROLES  # one definition, shared with the authoring tool
from .taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "CORPUS_DIR", "Taxonomy", "load_taxonomy", "Record", "read_records", "check_record", "validate", "assign_splits",
    "split_records", "load", "near_duplicate_groups", "stats",
]

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpora"
SPLITS = ("train", "dev", "test", "unseen")
_SPLIT_EDGES = (0.70, 0.85)  # hash < 0.70 train, < 0.85 dev, else test
# The unseen-name split (model selection on names never seen in training): rare agency and place
# surface forms are held out by the hash of their lower-cased form, and every would-be training
# record that names one of them moves to "unseen", so no training record contains a held-out form.
_NAME_LABELS = ("AGENCY", "LOCATION")
_HELD_OUT_SHARE = 0.05   # of eligible forms
_RARE = 3                # a form named in more records than this is never held out
REQUIRED = ("id", "province", "date", "kind", "text", "headline", "topics", "entities")


@dataclass
class Record:
    """One annotated record and where it came from."""

    data: dict
    file: str
    line: int
    augmented: bool = False

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def _corpus_files(paths: Iterable[Path | str] | None, problems: list[str] | None = None) -> list[Path]:
    default = not paths
    if default:
        paths = [CORPUS_DIR / "directives", CORPUS_DIR / "augmented"]
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("*.jsonl")))
        elif p.exists():
            files.append(p)
        elif not default:
            if problems is None:
                raise FileNotFoundError(f"{p}: no such file or folder")
            problems.append(f"{p}: no such file or folder")
    return files


def read_records(paths: Iterable[Path | str] | None = None, problems: list[str] | None = None) -> list[Record]:
    """All records of the given files or folders (default: the bundled corpus).

    Lines that are not JSON objects are reported into ``problems`` (``file:line: message``)."""
    out: list[Record] = []
    for path in _corpus_files(paths, problems):
        augmented = "augmented" in path.parts
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                if problems is not None:
                    problems.append(f"{path}:{lineno}: not valid JSON ({exc.msg})")
                continue
            if not isinstance(data, dict):
                if problems is not None:
                    problems.append(f"{path}:{lineno}: a record must be a JSON object")
                continue
            out.append(Record(data, str(path), lineno, augmented))
    return out


# ------------------------------------------------------------------ validation
def genre_of(data: dict) -> str:
    """The genre a record is written in; records of the first corpus are bulletin items or headlines."""
    return data.get("genre") or ("headline" if data.get("kind") == "headline" else "bulletin")


def _check_structure(data: dict) -> Iterator[str]:
    """Deadlines and assignments, where a record is annotated with them."""
    text = data["text"]
    deadlines = data.get("deadlines", [])
    if not isinstance(deadlines, list):
        yield "'deadlines' must be a list"
        return
    for k, d in enumerate(deadlines):
        if not isinstance(d, dict):
            yield f"deadline {k}: must be an object with start, end, text and date"
            continue
        s, e = d.get("start"), d.get("end")
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            yield f"deadline {k}: offsets [{s}, {e}) are not inside the text"
            continue
        if d.get("text") not in (None, text[s:e]):
            yield f"deadline {k}: claims {d['text']!r} but the text there is {text[s:e]!r}"
        day = d.get("date")
        if day is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(day)):
            yield f"deadline {k}: date {day!r} is not YYYY-MM-DD or null"
    entities = data.get("entities", [])
    assignments = data.get("assignments", [])
    if not isinstance(assignments, list):
        yield "'assignments' must be a list"
        return
    for k, a in enumerate(assignments):
        if not isinstance(a, dict):
            yield f"assignment {k}: must be an object with agency, role and deadline"
            continue
        agency, role, bound = a.get("agency"), a.get("role"), a.get("deadline")
        if not (isinstance(agency, int) and 0 <= agency < len(entities)) or entities[agency].get("label") != "AGENCY":
            yield f"assignment {k}: agency {agency!r} is not the index of an AGENCY entity"
        if role not in ROLES:
            yield f"assignment {k}: role {role!r} is not one of {list(ROLES)}"
        if bound is not None and not (isinstance(bound, int) and 0 <= bound < len(deadlines)):
            yield f"assignment {k}: deadline {bound!r} is not the index of a deadline"


def check_record(data: dict, taxonomy: Taxonomy) -> Iterator[str]:
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        yield f"missing keys {missing}"
        return
    text = data["text"]
    if not isinstance(text, str) or not text.strip():
        yield "'text' must be a non-empty string"
        return
    if text != text.rstrip():
        yield "'text' ends with white space (a directive ends at its last non-space character)"
    if data["kind"] not in KINDS:
        yield f"kind {data['kind']!r} is not one of {list(KINDS)}"
    if data.get("genre") is not None and data["genre"] not in GENRES:
        yield f"genre {data['genre']!r} is not one of {list(GENRES)}"
    if "deadlines" in data or "assignments" in data:
        yield from _check_structure(data)
    if data["headline"] != text.split("\n", 1)[0]:
        yield "'headline' is not the first line of 'text'"
    if data["kind"] == "headline" and "\n" in text:
        yield "a headline record must be one line"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(data["date"])):
        yield f"date {data['date']!r} is not YYYY-MM-DD"
    topics = data["topics"]
    if not isinstance(topics, list):
        yield "'topics' must be a list"
    else:
        for t in topics:
            if t not in taxonomy.topics:
                yield f"topic {t!r} is not in the taxonomy {list(taxonomy.topics)}"
        if len(set(topics)) != len(topics):
            yield "a topic is listed twice"
    spans = []
    for k, ent in enumerate(data["entities"]):
        s, e, label = ent.get("start"), ent.get("end"), ent.get("label")
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            yield f"entity {k}: offsets [{s}, {e}) are not inside the text (length {len(text)})"
            continue
        if label not in taxonomy.entity_labels:
            yield f"entity {k}: label {label!r} is not one of {list(taxonomy.entity_labels)}"
        surface = text[s:e]
        if "text" in ent and ent["text"] != surface:
            yield f"entity {k}: claims {ent['text']!r} but the text there is {surface!r}"
        if surface != surface.strip():
            yield f"entity {k}: {surface!r} starts or ends with white space"
        elif (s > 0 and text[s - 1].isalnum() and surface[0].isalnum()) or \
                (e < len(text) and text[e].isalnum() and surface[-1].isalnum()):
            yield f"entity {k}: {surface!r} starts or ends inside a word"
        spans.append((s, e, k))
    spans.sort()
    for (s1, e1, k1), (s2, e2, k2) in zip(spans, spans[1:]):
        if s2 < e1:
            yield f"entities {k1} and {k2} overlap ([{s1}, {e1}) and [{s2}, {e2}))"


def validate(paths: Iterable[Path | str] | None = None, taxonomy: Taxonomy | None = None) -> list[str]:
    """Every problem of the corpus as ``file:line: message``; empty when it is valid."""
    taxonomy = taxonomy or load_taxonomy()
    problems: list[str] = []
    records = read_records(paths, problems)
    seen: dict[str, str] = {}
    for rec in records:
        problems.extend(f"{rec.where}: {msg}" for msg in check_record(rec.data, taxonomy))
        rid = rec.data.get("id")
        if rid in seen:
            problems.append(f"{rec.where}: id {rid!r} already used at {seen[rid]}")
        elif rid is not None:
            seen[rid] = rec.where
    valid = [r for r in records if all(k in r.data for k in REQUIRED) and isinstance(r.data["text"], str)]
    splits = assign_splits(valid)
    by_id = {r.id: r for r in valid}
    for a, b, score in near_duplicate_pairs(valid):
        if splits[a] != splits[b]:
            problems.append(f"{by_id[b].where}: near-duplicate ({score:.2f}) of {a} at {by_id[a].where} "
                            f"across splits ({splits[a]} / {splits[b]})")
    return problems


# ------------------------------------------------------------------ near-duplicates
def _shingles(text: str, n: int = 4) -> set[int]:
    # NFC first: in decomposed text (NFD) the tone marks split every word, and an exact copy of a
    # record would share no 4-gram with it.
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())
    if len(words) < n:
        return {hash(" ".join(words))}
    return {hash(" ".join(words[i:i + n])) for i in range(len(words) - n + 1)}


def near_duplicate_pairs(records: list[Record], threshold: float = 0.6) -> list[tuple[str, str, float]]:
    """Pairs of ids whose texts share most of their word 4-grams (containment >= threshold),
    so a headline record that copies a directive's headline counts too."""
    shingles = {r.id: _shingles(r.data["text"]) for r in records}
    index: dict[int, list[str]] = defaultdict(list)
    for rid, sh in shingles.items():
        for h in sh:
            index[h].append(rid)
    shared: Counter = Counter()
    for ids in index.values():
        if len(ids) > 50:  # boilerplate phrase: carries no signal
            continue
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                shared[(a, b) if a < b else (b, a)] += 1
    pairs = []
    for (a, b), n in shared.items():
        score = n / min(len(shingles[a]), len(shingles[b]))
        if score >= threshold:
            pairs.append((a, b, score))
    return sorted(pairs)


def near_duplicate_groups(records: list[Record]) -> dict[str, str]:
    """Map each id to the representative (smallest id) of its near-duplicate group."""
    parent = {r.id: r.id for r in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in near_duplicate_pairs(records):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {rid: find(rid) for rid in parent}


# ------------------------------------------------------------------ splits
def _unit_hash(key: str) -> float:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16) / float(16 ** 12)


def surface_key(text: str) -> str:
    """The form by which names are compared across records (case, tone placement, spaces)."""
    from .text import normalize

    return " ".join(normalize(text).text.lower().split())


def record_names(data: dict) -> set[str]:
    """Surface keys of the agency and place spans of a record."""
    text = data.get("text", "")
    return {surface_key(text[e["start"]:e["end"]]) for e in data.get("entities", ())
            if e.get("label") in _NAME_LABELS and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)}


def held_out_names(records: list[Record]) -> set[str]:
    """Rare name forms held out of training for the unseen-name split."""
    counts: dict[str, int] = {}
    for rec in records:
        if not rec.augmented:
            for key in record_names(rec.data):
                counts[key] = counts.get(key, 0) + 1
    return {k for k, n in counts.items() if n <= _RARE and _unit_hash("name:" + k) < _HELD_OUT_SHARE}


def assign_splits(records: list[Record]) -> dict[str, str]:
    """``id -> split`` (train, dev, test, unseen). The hash of a group's representative id decides, so the split of a
    record never changes as others are added (unless a new near-copy joins its group), and the
    proportions hold within every topic in expectation. Augmented records are always train, and a
    record may pin its split with a ``split`` key (the annotator's imported corrections do)."""
    groups = near_duplicate_groups(records)
    out: dict[str, str] = {}
    for rec in records:
        pinned = rec.data.get("split")
        if rec.augmented:
            out[rec.id] = "train"
            continue
        if pinned in SPLITS:  # imported corrections are pinned to train
            out[rec.id] = pinned
            continue
        u = _unit_hash(groups[rec.id])
        out[rec.id] = "train" if u < _SPLIT_EDGES[0] else "dev" if u < _SPLIT_EDGES[1] else "test"
    held = held_out_names(records)
    moved = {groups[r.id] for r in records if out[r.id] == "train" and not r.augmented
             and r.data.get("split") != "train" and record_names(r.data) & held}
    for rec in records:  # a whole near-duplicate group moves, so no copy stays behind in train
        if groups[rec.id] in moved and out[rec.id] == "train" and not rec.augmented and rec.data.get("split") != "train":
            out[rec.id] = "unseen"
    return out


def split_records(paths: Iterable[Path | str] | None = None) -> dict[str, list[dict]]:
    """The corpus as ``{"train": [...], "dev": [...], "test": [...]}`` of record dicts."""
    records = read_records(paths)
    splits = assign_splits(records)
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for rec in records:
        out[splits[rec.id]].append(rec.data)
    return out


def load(paths: Iterable[Path | str] | None = None):
    """The corpus as a Hugging Face ``datasets.DatasetDict`` with typed features (local files only)."""
    import datasets

    taxonomy = load_taxonomy()
    features = datasets.Features({
        "id": datasets.Value("string"),
        "province": datasets.Value("string"),
        "date": datasets.Value("string"),
        "kind": datasets.ClassLabel(names=list(KINDS)),
        "genre": datasets.ClassLabel(names=list(GENRES)),
        "subject": datasets.Value("string"),
        "headline": datasets.Value("string"),
        "text": datasets.Value("string"),
        "topics": datasets.List(datasets.ClassLabel(names=list(taxonomy.topics))),
        "entities": datasets.List({
            "start": datasets.Value("int32"),
            "end": datasets.Value("int32"),
            "label": datasets.ClassLabel(names=list(taxonomy.entity_labels)),
        }),
    })
    columns = list(features)
    parts = {}
    for split, rows in split_records(paths).items():
        cleaned = [{k: (r.get(k) if k != "entities" else
                        [{"start": e["start"], "end": e["end"], "label": e["label"]} for e in r["entities"]])
                    for k in columns} for r in rows]
        for row, r in zip(cleaned, rows):
            row["subject"] = row["subject"] or ""
            row["genre"] = genre_of(r)
        parts[split] = datasets.Dataset.from_list(cleaned, features=features)
    return datasets.DatasetDict(parts)


# ------------------------------------------------------------------ stats
def stats(paths: Iterable[Path | str] | None = None) -> dict:
    """Counts the datasheet and the corpus issue ask for, over hand-written (non-augmented)
    records, one record per near-duplicate group."""
    records = [r for r in read_records(paths) if not r.augmented]
    groups = near_duplicate_groups(records)
    unique = [r.data for r in records if groups[r.id] == r.id]
    splits = assign_splits(records)
    ents: dict[str, set[str]] = defaultdict(set)
    doc_types: Counter = Counter()
    for r in unique:
        for e in r["entities"]:
            ents[e["label"]].add(r["text"][e["start"]:e["end"]])
            if e["label"] == "DOC_NUMBER":
                doc_types[(e.get("attrs") or {}).get("type", "?")] += 1
    topic_counts = Counter(t for r in unique for t in r["topics"])
    return {
        "records": len(records),
        "unique_records": len(unique),
        "directives": sum(r["kind"] == "directive" for r in unique),
        "headlines": sum(r["kind"] == "headline" for r in unique),
        "topics": dict(sorted(topic_counts.items())),
        "no_topic": sum(not r["topics"] for r in unique),
        "two_topics": sum(len(r["topics"]) >= 2 for r in unique),
        "subjects_no_topic": dict(Counter(r.get("subject", "?") for r in unique if not r["topics"]).most_common()),
        "provinces": dict(Counter(r["province"] for r in unique).most_common()),
        "years": dict(sorted(Counter(r["date"][:4] for r in unique).items())),
        "after_2025_07": sum(r["date"] >= "2025-07-01" for r in unique),
        "distinct_entities": {k: len(v) for k, v in sorted(ents.items())},
        "entity_mentions": dict(Counter(e["label"] for r in unique for e in r["entities"])),
        "doc_types": dict(doc_types.most_common()),
        "splits": dict(Counter(splits.values())),
        "genres": genre_shapes(unique),
        "hard": dict(Counter(f"{genre_of(r)}/{r['hard']}" for r in unique if r.get("hard"))),
        "author_batches": dict(Counter(r.get("author_batch", "v1") for r in unique)),
        "with_deadlines_annotated": sum("deadlines" in r for r in unique),
    }


def genre_shapes(records: list[dict]) -> dict[str, dict]:
    """Per genre (and for the first corpus apart): records, words per record (10th, 50th, 90th
    percentile) and how many records have 1, 2, … body paragraphs: what real text looks like
    against what was written."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        groups[("v2 " if "genre" in r else "v1 ") + genre_of(r)].append(r)
    out = {}
    for name, rows in sorted(groups.items()):
        words = sorted(len(r["text"].split()) for r in rows)
        pct = lambda q: words[min(len(words) - 1, int(q * len(words)))]
        paragraphs = Counter(min(len([p for p in r["text"].split("\n") if p.strip()]) - 1, 15) for r in rows)
        out[name] = {"records": len(rows), "words_p10": pct(0.1), "words_median": pct(0.5), "words_p90": pct(0.9),
                     "body_paragraphs": dict(sorted(paragraphs.items()))}
    return out
