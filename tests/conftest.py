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


# ------------------------------------------------------------------ live annotation servers
def pytest_addoption(parser):
    parser.addoption("--servers", action="store_true", default=False,
                     help="run the tests marked annotation_servers against real Label Studio and doccano "
                          "servers (`make test-servers`)")


def pytest_configure(config):
    config.addinivalue_line("markers", "annotation_servers: starts real Label Studio and doccano servers on "
                                       "127.0.0.1 (run by `make test-servers`)")


def pytest_collection_modifyitems(config, items):
    """Without --servers the live tests are deselected (not skipped): `make test` replays their
    recorded exports instead. With --servers a server that cannot start fails its test."""
    if config.getoption("--servers"):
        return
    live = [i for i in items if i.get_closest_marker("annotation_servers")]
    if live:
        config.hook.pytest_deselected(items=live)
        items[:] = [i for i in items if not i.get_closest_marker("annotation_servers")]
