"""Shared fixtures. ``../shared`` is there for developers and CI, not for a user's clone:
tests that read it skip cleanly when it is absent."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VNPOLICY_SHARED", ROOT.parent / "shared"))
SAMPLE_PAGE = SHARED / "samples" / "langson-week-sample.txt"
SAMPLE_GOLD = SHARED / "samples" / "langson-week-sample.gold.jsonl"


@pytest.fixture(scope="session")
def sample():
    """The real Lạng Sơn page and its gold records (skips when ../shared is absent)."""
    if not SAMPLE_PAGE.exists() or not SAMPLE_GOLD.exists():
        pytest.skip("../shared/samples is not available in this checkout")
    page = SAMPLE_PAGE.read_text(encoding="utf-8")
    gold = [json.loads(line) for line in SAMPLE_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return page, gold


@pytest.fixture(scope="session")
def nlp():
    import vnpolicy_nlp as vp

    return vp.load()
