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

__all__ = ["ModelSetError", "BUNDLED", "HISTORY", "write_model_set", "read_manifest", "load_component", "sha256_file",
           "verify", "check_target", "archive", "list_history", "replace_set", "rollback"]

BUNDLED = Path(__file__).resolve().parents[1] / "models"
HISTORY = BUNDLED.parent / "models-history"  # earlier bundled sets, newest last; not tracked by git
KEEP = 5
MANIFEST = "manifest.json"


class ModelSetError(RuntimeError):
    """A model set that is missing, incomplete or altered."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_target(out: Path) -> None:
    """Refuse to write a set over anything but an earlier set or an empty folder: a set
    replaces the whole folder, and nothing else may be lost that way."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).exists())):
        raise ModelSetError(f"{out}: exists and is not a model set; choose a new or empty folder "
                            "(a model set replaces the whole folder)")


def write_model_set(out: Path, components: dict[str, Any], manifest: dict, card: str) -> Path:
    """Write ``components`` (name → object) with ``manifest`` and a model card, atomically."""
    import joblib

    out = Path(out)
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    _as_a_normal_folder(tmp)
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


def _as_a_normal_folder(path: Path) -> None:
    """mkdtemp makes folders 0700; a set must be loadable by other users and services, so it gets
    the mode any new folder gets under the umask (issue 13)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o777 & ~umask)


def read_manifest(path: Path) -> dict:
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        raise ModelSetError(f"{path}: not a model set (no {MANIFEST}); train one into a new folder with "
                            "`vnpolicy train --out NEW_FOLDER`")
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


def verify(path: Path) -> dict:
    """Check every file of a set against its manifest; returns the manifest."""
    path = Path(path)
    manifest = read_manifest(path)
    for name, expected in manifest.get("files", {}).items():
        target = path / name
        if not target.exists():
            raise ModelSetError(f"{target}: missing from the model set")
        if sha256_file(target) != expected:
            raise ModelSetError(f"{target}: sha256 does not match the manifest; the file was altered or truncated")
    return manifest


def archive(current: Path = BUNDLED, history: Path = HISTORY, keep: int = KEEP) -> Path | None:
    """Copy the current set into the history (named by its creation time); keep the last few."""
    current = Path(current)
    if not (current / MANIFEST).exists():
        return None
    created = read_manifest(current).get("created", "unknown").replace(":", "").replace("+", "Z")
    history.mkdir(parents=True, exist_ok=True)
    target = history / created
    if not target.exists():
        tmp = Path(tempfile.mkdtemp(prefix=".copy-", dir=history))
        shutil.rmtree(tmp)
        shutil.copytree(current, tmp)
        tmp.rename(target)
    for old in list_history(history)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def list_history(history: Path = HISTORY) -> list[Path]:
    if not history.exists():
        return []
    return sorted(p for p in history.iterdir() if p.is_dir() and (p / MANIFEST).exists())


def replace_set(new: Path, current: Path = BUNDLED) -> None:
    """Put the set at ``new`` in place of ``current`` by renames, so a reader never sees half a set."""
    new, current = Path(new), Path(current)
    verify(new)
    old = current.with_name(f".{current.name}.old-{os.getpid()}")
    if current.exists():
        current.rename(old)
    try:
        new.rename(current)
    except BaseException:
        if old.exists():
            old.rename(current)
        raise
    shutil.rmtree(old, ignore_errors=True)


def rollback(name: str | None = None, current: Path = BUNDLED, history: Path = HISTORY) -> Path:
    """Make an earlier set (by name, default the newest other than the current one) current again;
    the current set goes into the history first."""
    sets = list_history(history)
    created_now = read_manifest(current).get("created") if (Path(current) / MANIFEST).exists() else None
    if name:
        chosen = history / name
        if chosen not in sets:
            raise ModelSetError(f"{chosen}: no such set in the history; `vnpolicy models list` shows them")
    else:
        others = [p for p in sets if read_manifest(p).get("created") != created_now]
        if not others:
            raise ModelSetError(f"{history}: no earlier model set to roll back to")
        chosen = others[-1]
    archive(current, history)
    staged = Path(tempfile.mkdtemp(prefix=".rollback-", dir=Path(current).parent))
    shutil.rmtree(staged)
    shutil.copytree(chosen, staged)
    replace_set(staged, current)
    return chosen
