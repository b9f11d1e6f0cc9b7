"""Model sets on disk: components pickled with joblib beside a manifest of hashes and metrics.

Unpickling runs code, so a set is only loaded when every file's sha256 matches its manifest;
load sets only from places you trust. Sets are written into a temporary folder and renamed into
place, so a crash or Ctrl-C never leaves a half-written set where a good one was.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["ModelSetError", "BUNDLED", "write_model_set", "read_manifest", "load_component", "sha256_file"]

BUNDLED = Path(__file__).resolve().parents[1] / "models"
MANIFEST = "manifest.json"


class ModelSetError(RuntimeError):
    """A model set that is missing, incomplete or altered."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_model_set(out: Path, components: dict[str, Any], manifest: dict, card: str) -> Path:
    """Write ``components`` (name → object) with ``manifest`` and a model card, atomically."""
    import joblib

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        files = {}
        for name, obj in components.items():
            path = tmp / f"{name}.joblib"
            joblib.dump(obj, path, compress=3)
            files[path.name] = sha256_file(path)
        (tmp / "MODEL_CARD.md").write_text(card, encoding="utf-8")
        files["MODEL_CARD.md"] = sha256_file(tmp / "MODEL_CARD.md")
        manifest = dict(manifest, files=files)
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        backup = None
        if out.exists():
            backup = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(backup)
        tmp.rename(out)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def read_manifest(path: Path) -> dict:
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        raise ModelSetError(f"{path}: not a model set (no {MANIFEST}); train one with `vnpolicy train --out {path}`")
    try:
        return json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelSetError(f"{manifest_path}: damaged manifest ({exc.msg} at line {exc.lineno})") from None


def load_component(path: Path, name: str, manifest: dict | None = None) -> Any:
    """Load one component after checking its sha256 against the manifest."""
    import joblib

    path = Path(path)
    manifest = manifest or read_manifest(path)
    file = f"{name}.joblib"
    expected = manifest.get("files", {}).get(file)
    if expected is None:
        raise ModelSetError(f"{path}: the manifest lists no {file}")
    target = path / file
    if not target.exists():
        raise ModelSetError(f"{target}: missing from the model set")
    actual = sha256_file(target)
    if actual != expected:
        raise ModelSetError(f"{target}: sha256 {actual[:12]}… does not match the manifest ({expected[:12]}…); "
                            "the file was altered or truncated, so it is not loaded")
    return joblib.load(target)
