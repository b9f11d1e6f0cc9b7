"""Model sets on disk: data files of named components beside a manifest of hashes and versions.

A set is a folder: ``manifest.json``, ``MODEL_CARD.md`` and each component's files (the CRF in
CRFsuite's own format, the topic estimator as JSON and a NumPy ``.npz``). Nothing in a set is
code and nothing is unpickled: a file that looks like a pickle, or that the manifest does not
list, is refused. Each file is read once, hashed, checked against the manifest, and the
components are built from those same bytes, so nothing can be swapped in between.

Writes go to a temporary folder renamed into place. Replacing the bundled set swaps the two
folders in one step (``renameat2(RENAME_EXCHANGE)``) where the system offers it, otherwise by two
renames that :func:`recover` completes if a crash fell between them.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ModelSetError", "ModelSet", "FORMAT", "BUNDLED", "HISTORY", "PACKAGED", "read_set", "write_model_set",
           "read_manifest", "load_component", "sha256_file", "verify", "check_target", "check_compatible",
           "archive", "list_history", "replace_set", "rollback", "recover", "clean_leftovers", "dependency_versions",
           "find_bundled"]

FORMAT = 2
MANIFEST = "manifest.json"
CARD = "MODEL_CARD.md"
_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent
#: The bundled set inside an installed wheel (copied there by the build from the repo's models/).
PACKAGED = _PACKAGE / "bundled" / "models"
#: A checkout: the repo's models/ is the source of truth (and where `vnpolicy train` writes).
_CHECKOUT = (_REPO / "pyproject.toml").is_file()
BUNDLED = _REPO / "models" if _CHECKOUT else PACKAGED
HISTORY = _REPO / "models-history" if _CHECKOUT else BUNDLED.parent / "models-history"  # not tracked by git
KEEP = 5
#: Dependencies whose versions a set records; a set made with another major.minor of these is refused.
PINNED = ("scikit-learn", "numpy", "python-crfsuite")
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pck", ".sav")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class ModelSetError(RuntimeError):
    """A model set that is missing, incomplete, altered, foreign or made by incompatible versions."""


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def dependency_versions() -> dict[str, str | None]:
    """Versions of the library and of what a set's files depend on."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    out: dict[str, str | None] = {"python": platform.python_version(), "vnpolicy-nlp": __version__}
    for pkg in (*PINNED, "underthesea", "vietnamadminunits"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def _major_minor(v: str | None) -> tuple[int, ...] | None:
    m = re.match(r"(\d+)\.(\d+)", v or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


# ------------------------------------------------------------------ reading
@dataclass(frozen=True)
class ModelSet:
    """A checked set: its manifest and the bytes of every file, exactly as hashed."""

    path: Path
    manifest: dict
    files: Mapping[str, bytes] = field(repr=False)
    sha256: str  # of manifest.json, which names every file's hash: the set's identity

    @property
    def component_names(self) -> list[str]:
        return [c["name"] for c in self.manifest["components"]]

    def component(self, name: str):
        """Build the component ``name`` from its checked bytes."""
        from .components import component_class

        entry = next((c for c in self.manifest["components"] if c["name"] == name), None)
        if entry is None:
            raise ModelSetError(f"{self.path}: the manifest lists no component {name!r} "
                                f"(it has {', '.join(self.component_names) or 'none'})")
        try:
            cls = component_class(name)
        except (KeyError, ImportError, TypeError) as exc:
            raise ModelSetError(f"{self.path}: component {name!r} is not known to this vnpolicy-nlp ({exc})") from None
        files = {f: self.files[f] for f in entry["files"]}
        try:
            return cls.from_files(files, entry.get("config") or {})
        except Exception as exc:  # damaged data: say which component and file set
            raise ModelSetError(f"{self.path}: cannot read component {name!r} from {', '.join(entry['files'])}: "
                                f"{type(exc).__name__}: {exc}") from None


def _shape_errors(m: Any) -> Iterator[str]:
    """What is wrong with the shape of a parsed manifest."""
    if not isinstance(m, dict):
        yield f"the manifest must be a JSON object, not {type(m).__name__}"
        return
    if not isinstance(m.get("format"), int):
        yield "'format' must be the set's format number"
        return
    if m.get("format") != FORMAT:
        return  # reported by check_compatible, with versions
    files = m.get("files")
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) and _HEX64.match(v)
                                              for k, v in files.items()):
        yield "'files' must be an object of file name → sha256 (64 hex digits)"
        files = {}
    comps = m.get("components")
    if not isinstance(comps, list) or not comps:
        yield "'components' must be a non-empty list of {\"name\": …, \"files\": […]}"
        comps = []
    for k, c in enumerate(comps):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not isinstance(c.get("files"), list) \
                or not all(isinstance(f, str) for f in c["files"]):
            yield f"components[{k}] must be {{\"name\": str, \"files\": [str, …], \"config\": {{…}}}}"
            continue
        if "config" in c and not isinstance(c["config"], dict):
            yield f"components[{k}] ({c['name']}): 'config' must be an object"
        for f in c["files"]:
            if f not in files:
                yield f"components[{k}] ({c['name']}): {f!r} is not in 'files'"
    if not isinstance(m.get("versions"), dict):
        yield "'versions' must be an object of package → version"


def check_compatible(manifest: dict, where: Path | str) -> None:
    """Refuse a set this installation cannot read, naming the versions on both sides."""
    mine = dependency_versions()
    fmt = manifest.get("format")
    theirs = manifest.get("versions") if isinstance(manifest.get("versions"), dict) else {}
    made_by = f"vnpolicy-nlp {theirs.get('vnpolicy-nlp', '?')}"
    if fmt != FORMAT:
        hint = ("it holds pickles, which are no longer loaded; retrain it with `vnpolicy train`"
                if fmt == 1 else "upgrade vnpolicy-nlp or retrain the set with this version")
        raise ModelSetError(f"{where}: model set format {fmt!r} (made by {made_by}); this is vnpolicy-nlp "
                            f"{mine['vnpolicy-nlp']}, which reads format {FORMAT}: {hint}")
    clashes = []
    for pkg in PINNED:
        a, b = _major_minor(theirs.get(pkg)), _major_minor(mine.get(pkg))
        if a is None or b is None or a != b:
            clashes.append(f"{pkg} {theirs.get(pkg) or 'unknown'} (installed: {mine.get(pkg) or 'none'})")
    ours = _major_minor(mine["vnpolicy-nlp"])
    lib = _major_minor(theirs.get("vnpolicy-nlp"))
    if lib is None or (ours is not None and lib > ours):
        clashes.append(f"vnpolicy-nlp {theirs.get('vnpolicy-nlp') or 'unknown'} (installed: {mine['vnpolicy-nlp']})")
    if clashes:
        raise ModelSetError(f"{where}: made with " + "; ".join(clashes) + ". Install the versions it was made with "
                            "(same major.minor) or retrain it with `vnpolicy train`")


def _looks_like_pickle(name: str, data: bytes) -> bool:
    return name.lower().endswith(_PICKLE_SUFFIXES) or (len(data) >= 2 and data[0] == 0x80 and 2 <= data[1] <= 5)


def _parse_manifest(raw: bytes, where: Path) -> dict:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ModelSetError(f"{where}: not UTF-8 text (byte offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ModelSetError(f"{where}: damaged manifest ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    problems = list(_shape_errors(manifest))
    if problems:
        raise ModelSetError(f"{where}: not a manifest of this library: " + "; ".join(problems))
    return manifest


def read_manifest(path: Path) -> dict:
    """The parsed, shape-checked manifest of the set at ``path`` (files are not read)."""
    path = Path(path)
    target = path / MANIFEST
    if not target.is_file():
        raise ModelSetError(f"{path}: not a model set (no {MANIFEST}); train one into a new folder with "
                            "`vnpolicy train --out NEW_FOLDER`")
    return _parse_manifest(target.read_bytes(), target)


def read_set(path: Path) -> ModelSet:
    """Read and check a whole set: shape, versions, the list of files, every hash. Returns the
    bytes that were hashed; components are parsed from them and from nothing else."""
    path = Path(path)
    recover(path)
    if not path.is_dir():
        raise ModelSetError(f"{path}: no such model set folder")
    target = path / MANIFEST
    if not target.is_file():
        raise ModelSetError(f"{path}: not a model set (no {MANIFEST}); train one into a new folder with "
                            "`vnpolicy train --out NEW_FOLDER`")
    raw = target.read_bytes()
    manifest = _parse_manifest(raw, target)
    check_compatible(manifest, path)
    listed = manifest["files"]
    present = {p.name for p in path.iterdir() if p.name != MANIFEST}
    stray = sorted(present - set(listed))
    if stray:
        raise ModelSetError(f"{path}: {', '.join(stray)} not listed in the manifest; a model set holds only the files "
                            "its manifest names, so this one was altered and is not loaded")
    files: dict[str, bytes] = {}
    for name, expected in listed.items():
        file = path / name
        if "/" in name or "\\" in name or name.startswith("."):
            raise ModelSetError(f"{path}: manifest names {name!r}, which is not a plain file name")
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise ModelSetError(f"{file}: missing from the model set") from None
        except IsADirectoryError:
            raise ModelSetError(f"{file}: a folder where the manifest lists a file") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise ModelSetError(f"{file}: sha256 {actual[:12]}… does not match the manifest ({expected[:12]}…); "
                                "the file was altered or truncated, so the set is not loaded")
        if _looks_like_pickle(name, data):
            raise ModelSetError(f"{file}: a pickle; model sets hold data only and pickles are never loaded "
                                "(retrain with `vnpolicy train` to get a set of data files)")
        files[name] = data
    return ModelSet(path, manifest, files, hashlib.sha256(raw).hexdigest())


def verify(path: Path) -> dict:
    """Check every file of a set against its manifest; returns the manifest."""
    return read_set(path).manifest


def load_component(path: Path, name: str, manifest: dict | None = None) -> Any:
    """The trained object of one component (the ``EntityTagger``, the ``TopicClassifier``), after
    checking the whole set. ``manifest`` is ignored (kept for callers of the pickle era)."""
    comp = read_set(Path(path)).component(name)
    return getattr(comp, "tagger", None) or getattr(comp, "classifier", None) or comp


def find_bundled() -> Path:
    """The bundled set: the checkout's ``models/`` or the copy inside the installed package.
    Raises, naming every place it looked, when there is none."""
    looked = []
    for place in dict.fromkeys([BUNDLED, PACKAGED]):
        recover(place)
        if (place / MANIFEST).is_file():
            return place
        looked.append(f"{place} ({'no ' + MANIFEST if place.is_dir() else 'absent'})")
    raise ModelSetError("no model set found; looked in " + "; ".join(looked) + ". Install vnpolicy-nlp from its "
                        "wheel (which carries the models), train a set with `vnpolicy train --out DIR` and pass it "
                        "with vp.load(DIR) / --model DIR")


# ------------------------------------------------------------------ writing
def check_target(out: Path) -> None:
    """Refuse to write a set over anything but an earlier set or an empty folder: a set
    replaces the whole folder, and nothing else may be lost that way."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).exists())):
        raise ModelSetError(f"{out}: exists and is not a model set; choose a new or empty folder "
                            "(a model set replaces the whole folder)")


def _publish_modes(folder: Path) -> None:
    """Sets are read by everyone who runs the library: 0755 folders, 0644 files."""
    os.chmod(folder, 0o755)
    for p in folder.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


def write_model_set(out: Path, components: list, manifest: dict, card: str) -> Path:
    """Write ``components`` (objects with the :class:`~vnpolicy_nlp.components.Component`
    interface, in pipeline order) with ``manifest`` and a model card, atomically."""
    out = Path(out)
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    try:
        files: dict[str, str] = {}
        entries = []
        for comp in components:
            names = comp.to_disk(tmp)
            entries.append({"name": comp.name, "files": names, "config": comp.config()})
        (tmp / CARD).write_text(card, encoding="utf-8")
        for p in sorted(tmp.iterdir()):
            files[p.name] = sha256_file(p)
        manifest = {**manifest, "format": FORMAT, "components": entries, "files": files,
                    "versions": {**dependency_versions(), **manifest.get("versions", {})}}
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _publish_modes(tmp)
        if out.exists():
            replace_set(tmp, out)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


# ------------------------------------------------------------------ replacing
def _staged(current: Path) -> Path:
    return current.with_name(f".{current.name}.staged")


def _old(current: Path) -> Path:
    return current.with_name(f".{current.name}.old")


@contextlib.contextmanager
def _lock(current: Path) -> Iterator[bool]:
    """An exclusive lock for replacing ``current``; yields False where none can be taken
    (a read-only installation, where nothing is replaced either)."""
    try:
        fh = open(current.with_name(f".{current.name}.lock"), "a+")
    except OSError:
        yield False
        return
    try:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield True
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where
    the system or file system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(parent: Path) -> list[Path]:
    """Remove what killed runs left beside the sets: ``.candidate-*``, ``.rollback-*`` and
    ``.*.tmp-*`` folders whose process is gone. Returns what was removed."""
    removed = []
    parent = Path(parent)
    if not parent.is_dir():
        return removed
    for p in parent.iterdir():
        if not p.is_dir() or not re.match(r"^\.(?:candidate-|rollback-|[^.]+\.tmp-)", p.name):
            continue
        m = re.search(r"(?:candidate-|rollback-|\.tmp-)(\d+)-", p.name)
        if m and _pid_alive(int(m.group(1))):
            continue  # a run in progress
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def recover(current: Path) -> None:
    """Finish or undo a replacement a crash interrupted: if ``current`` is absent beside a staged
    set, the staged set becomes current (or the old one comes back); leftovers are removed."""
    current = Path(current)
    staged, old = _staged(current), _old(current)
    if not (staged.exists() or old.exists()):
        return
    with _lock(current) as locked:
        if not locked:
            return
        if not current.exists():
            if (staged / MANIFEST).is_file():
                staged.rename(current)
            elif (old / MANIFEST).is_file():
                old.rename(current)
        for leftover in (staged, old):  # a replacement that finished, or never got to swap
            if leftover.exists() and current.exists():
                shutil.rmtree(leftover, ignore_errors=True)
        clean_leftovers(current.parent)


def replace_set(new: Path, current: Path = BUNDLED) -> None:
    """Put the set at ``new`` in place of ``current``: a reader sees the old set or the new one,
    never half of one, and a crash at any point is completed or undone by :func:`recover`."""
    new, current = Path(new), Path(current)
    read_set(new)
    recover(current)
    clean_leftovers(current.parent)
    with _lock(current):
        staged, old = _staged(current), _old(current)
        shutil.rmtree(staged, ignore_errors=True)
        if new.parent.resolve() == current.parent.resolve():
            new.rename(staged)
        else:  # another file system, perhaps: copy next to the target first
            tmp = Path(tempfile.mkdtemp(prefix=f".{current.name}.tmp-{os.getpid()}-", dir=current.parent))
            shutil.rmtree(tmp)
            shutil.copytree(new, tmp)
            _publish_modes(tmp)
            tmp.rename(staged)
        if current.exists() and _exchange(staged, current):
            shutil.rmtree(staged, ignore_errors=True)  # now the old set
            return
        if current.exists():
            shutil.rmtree(old, ignore_errors=True)
            current.rename(old)  # a crash here leaves old + staged: recover() finishes the job
        staged.rename(current)
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------ history
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
        _publish_modes(tmp)
        tmp.rename(target)
    for old in list_history(history)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def list_history(history: Path = HISTORY) -> list[Path]:
    if not history.exists():
        return []
    return sorted(p for p in history.iterdir() if p.is_dir() and (p / MANIFEST).exists())


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
    read_set(chosen)  # a set that cannot be loaded is not put in place
    archive(current, history)
    staged = Path(tempfile.mkdtemp(prefix=f".rollback-{os.getpid()}-", dir=Path(current).parent))
    shutil.rmtree(staged)
    shutil.copytree(chosen, staged)
    _publish_modes(staged)
    replace_set(staged, current)
    return chosen
