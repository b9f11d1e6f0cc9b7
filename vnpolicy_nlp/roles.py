"""The learned role model: which agencies a directive puts to work, and how.

The fixed words ("chủ trì", "phối hợp với", "đề nghị", "Kính gửi") are rules
(:func:`vnpolicy_nlp.entities.attributes.assign_roles`). What they miss is the open-ended part:
a body that opens a clause and is simply told to act ("UBND các xã có dịch lập chốt …"), a
newspaper asked to report, a body cited in a "Căn cứ" line that gives no order here. A
multinomial logistic regression over each agency mention reads the rules' role together with the
words around the mention, the shape of its line and its neighbours in a list, and decides.
It is trained by scikit-learn on the annotated records (ANNOTATION.md, "Deadlines and
assignments") and saved as data (a feature vocabulary and a weight matrix), so predicting needs
only NumPy.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .entities.attributes import agency_attrs, assign_roles, one_role_per_body
from .linear_model import SparseLinear
from .words import lower_words

__all__ = ["RoleModel", "mention_features", "body_keys", "NO_ROLE", "gold_role_examples"]

NO_ROLE = "none"
_LINE_KIND = [("kinh_gui", re.compile(r"^\s*kính gửi", re.I)), ("noi_nhan", re.compile(r"^\s*nơi nhận", re.I)),
              ("can_cu", re.compile(r"^\s*(?:căn cứ|theo đề nghị|xét đề nghị)", re.I)),
              ("dieu", re.compile(r"^\s*điều \d+\.", re.I)), ("item", re.compile(r"^\s*(?:\d{1,2}[.)]|[a-zđ][.)]|[-–•+])\s*")),
              ("header", re.compile(r"^[^a-zà-ỹđ]*$"))]
_CONTEXT = 40  # characters read on each side for the bag of nearby words
_RECIPIENTS = re.compile(r"^\s*kính gửi\b|\bđiện\s*:", re.I)
_ASSIGNING = re.compile(r"\b(?:giao|yêu cầu|đề nghị|chỉ đạo|phối hợp|chủ trì|kính gửi|điện|thi hành|báo cáo|gửi|về)\b", re.I)


def body_keys(text: str, agencies: list[tuple[int, int, str | None]]) -> list[str]:
    """Each mention's canonical name, so repeated bodies are recognised."""
    return [agency_attrs(text[s:e])["canonical"] for s, e, _ in agencies]


def mention_features(text: str, agencies: list[tuple[int, int, str | None]], k: int, keys: list[str]) -> list[str]:
    """Names of the features of the ``k``-th agency mention; ``agencies`` are ``(start, end,
    rule role)`` in text order, ``keys`` their :func:`body_keys`."""
    s, e, rule = agencies[k]
    before, after = lower_words(text[max(0, s - _CONTEXT):s]), lower_words(text[e:e + _CONTEXT])
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    line = text[line_start:len(text) if line_end < 0 else line_end]
    rule = rule or NO_ROLE
    out = [f"rule={rule}", "bias"]
    for n in (1, 2, 3):
        out.append(f"a{n}=" + " ".join(after[:n]))
        out.append(f"b{n}=" + " ".join(before[-n:]))
        out.append(f"rule={rule}|a{n}=" + " ".join(after[:n]))
    out += [f"A:{w}" for w in set(after[:8])] + [f"B:{w}" for w in set(before[-8:])]
    out += [f"line={name}" for name, pattern in _LINE_KIND if pattern.search(line)]
    if not text[line_start:s].strip():
        out.append("line_opens")
    if line_start == 0:
        out.append("first_line")
    words = text[s:e].split()
    out.append("head=" + words[0].lower())
    if text[s:e].isupper():
        out.append("upper")
    for side, j in (("prev", k - 1), ("next", k + 1)):
        if 0 <= j < len(agencies):
            ps, pe, prole = agencies[j]
            gap = text[pe:s] if j < k else text[e:ps]
            glue = "list" if re.fullmatch(r"\s*(?:,|và|;|, và)\s*(?:với\s+)?(?:các\s+)?", gap) else "far"
            out.append(f"{side}={prole or NO_ROLE}|{glue}")
    # the last verb of assigning in the clause before the mention: "yêu cầu Giám đốc các sở, Chủ tịch UBND các huyện …"
    clause_start = max(text.rfind(c, 0, s) for c in ";:\n.") + 1
    verbs = _ASSIGNING.findall(text, clause_start, s)
    verb = verbs[-1].lower() if verbs else "none"
    out += [f"clause_verb={verb}", f"rule={rule}|clause_verb={verb}"]
    earlier = [agencies[j][2] for j in range(k) if keys[j] == keys[k]]
    if earlier:
        out.append("seen_before")
        out += [f"seen_as={r}" for r in set(earlier) if r]
    later = {agencies[j][2] for j in range(k + 1, len(agencies)) if keys[j] == keys[k]}
    out += [f"later_as={r}" for r in later if r]  # a Kính gửi body given its task further on
    return out


def _rule_roles(text: str, spans: list[tuple[int, int]]) -> list[str | None]:
    attrs = [agency_attrs(text[s:e]) for s, e in spans]
    assign_roles(text, [(s, e, a) for (s, e), a in zip(spans, attrs)])
    return [a.get("role") for a in attrs]


def gold_role_examples(records: Iterable[dict]) -> tuple[list[list[str]], list[str]]:
    """Feature lists and gold roles (``none`` for an agency with no assignment) of every agency
    mention of records annotated with assignments."""
    X: list[list[str]] = []
    y: list[str] = []
    for r in records:
        if "assignments" not in r:
            continue
        text = r["text"]
        role_of = {a["agency"]: a["role"] for a in r["assignments"]}
        index = [k for k, ent in enumerate(r["entities"]) if ent["label"] == "AGENCY"]
        spans = [(r["entities"][k]["start"], r["entities"][k]["end"]) for k in index]
        agencies = [(s, e, role) for (s, e), role in zip(spans, _rule_roles(text, spans))]
        keys = body_keys(text, agencies)
        for n, k in enumerate(index):
            X.append(mention_features(text, agencies, n, keys))
            y.append(role_of.get(k, NO_ROLE))
    return X, y


@dataclass
class RoleModel:
    """Which role (or none) each agency mention has: a :class:`SparseLinear` over mention features."""

    model: SparseLinear

    @classmethod
    def fit(cls, records: Iterable[dict], C: float = 1.0) -> "RoleModel":
        X, y = gold_role_examples(records)
        if not X:
            raise ValueError("no records annotated with assignments to train the role model on")
        return cls(SparseLinear.fit(X, y, C=C))

    def predict(self, text: str, agencies: list[tuple[int, int, str | None]],
                keys: list[str] | None = None) -> list[str | None]:
        """A role (or None) for each ``(start, end, rule role)`` agency mention, in order; ``keys``
        are their canonical names when the caller has them (:func:`body_keys` otherwise)."""
        keys = keys or body_keys(text, agencies)
        roles = [self.model.predict(mention_features(text, agencies, k, keys)) for k in range(len(agencies))]
        return [None if role == NO_ROLE else role for role in roles]

    def assign(self, text: str, agencies: list[tuple[int, int, dict]]) -> None:
        """Replace the rules' ``role`` in each agency's attrs with the model's, then keep one role
        per body as the rules do (an issuer named once, a Kính gửi addressee given a task later)."""
        keys = [a.get("canonical") or text[s:e] for s, e, a in agencies]  # the entity stage's canonical names
        rules = [a.get("role") for _, _, a in agencies]
        roles = self.predict(text, [(s, e, r) for (s, e, _), r in zip(agencies, rules)], keys)
        for (_, _, attrs), role in zip(agencies, roles):
            attrs.pop("role", None)
            if role:
                attrs["role"] = role
        # a recipient of the "Kính gửi" line (or of a dispatch's "điện:") is its addressee unless the
        # text gives it a task further on, where its role is put (the corpus's decided case)
        recipients = [rule == "addressee" and bool(_RECIPIENTS.search(text[text.rfind("\n", 0, s) + 1:s]))
                      for (s, _, _), rule in zip(agencies, rules)]
        one_role_per_body(text, agencies, recipients)
