"""Tagging an archive: streaming, parallel, resumable, on one machine or a Dask cluster.

The inputs are cut into shards (a few pages, or up to ``lines_per_unit`` JSONL records, per
unit; ``shard_size`` units per shard) in a fixed order, so the same arguments always give the
same shards. Each shard is tagged by a worker and written under a temporary name, then renamed:
a shard file exists only when it is complete, with its error list beside it. A rerun skips the
shards that exist, so a run killed at any moment (even ``kill -9``) and rerun ends with exactly
the records of an uninterrupted run. The manifest is written last. A lock file keeps two runs out
of the same output folder.

Only the shards have plain names: every side file (``_manifest.json``, ``_plan.json``,
``_errors.jsonl``, ``_errors-NNNNN.jsonl``, ``_signals-NNNNN.json``, ``.lock``, and
``.shard-*.tmp-PID`` while a shard is being written) starts with ``_`` or ``.``, which pandas,
DuckDB and Arrow datasets skip, so the folder reads as a table as it is:
``pandas.read_parquet("tagged/")``. A folder written before this naming (``manifest.json``,
``plan.json``, ``errors-NNNNN.jsonl``) is resumed as well: its side files are renamed on the next run.

    vp.batch.run(["archive/"], "out/", workers=2)
"""
from __future__ import annotations

import errno
import fcntl
import glob
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["run", "BatchSummary", "BatchError", "plan_shards", "Shard", "read_output", "tag_page_file", "tag_record"]

FORMATS = ("jsonl", "parquet")
ENGINES = ("local", "dask")
MANIFEST, PLAN, ERRORS, LOCK = "_manifest.json", "_plan.json", "_errors.jsonl", ".lock"
_OLD_NAMES = {"manifest.json": MANIFEST, "plan.json": PLAN, "errors.jsonl": ERRORS}  # before 2026-12


def _shard_errors(index: int) -> str:
    return f"_errors-{index:05d}.jsonl"


def _shard_signals(index: int) -> str:
    return f"_signals-{index:05d}.json"


def _migrate_side_files(out: Path) -> None:
    """Rename the side files of a folder written by an older version, so readers skip them."""
    for old, new in _OLD_NAMES.items():
        if (out / old).exists() and not (out / new).exists():
            os.replace(out / old, out / new)
    for pattern, prefix in (("errors-[0-9][0-9][0-9][0-9][0-9].jsonl", "_"), ("signals-[0-9][0-9][0-9][0-9][0-9].json", "_")):
        for old in out.glob(pattern):
            new = out / (prefix + old.name)
            if not new.exists():
                os.replace(old, new)


class BatchError(RuntimeError):
    """A batch that cannot start: bad arguments, or another run holds the output folder."""


@dataclass(frozen=True)
class Unit:
    """One page file, or a slice of lines of a JSONL file."""

    path: str
    kind: str          # "text" or "jsonl"
    first_line: int = 0
    last_line: int = 0  # exclusive; 0 for a text page
    first_byte: int = 0  # where ``first_line`` starts, so a worker seeks instead of rereading


@dataclass(frozen=True)
class Shard:
    index: int
    units: tuple[Unit, ...]

    @property
    def name(self) -> str:
        return f"shard-{self.index:05d}"

    def key(self) -> str:
        """Identifies the shard's input: paths, slices, sizes and modification times."""
        h = hashlib.sha256()
        for u in self.units:
            st = os.stat(u.path)
            h.update(f"{u.path}|{u.kind}|{u.first_line}|{u.last_line}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        return h.hexdigest()[:16]


@dataclass
class ShardResult:
    index: int
    pages: int = 0
    directives: int = 0
    errors: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # of the worker process that tagged it


@dataclass
class BatchSummary:
    out: str
    shards: int
    shards_skipped: int
    pages: int
    directives: int
    errors: int
    seconds: float
    engine: str
    workers: int
    model_set: dict | None = None  # path, sha256 and creation time of the set that tagged every shard
    worker_peak_rss_mb: float | None = None  # largest worker of this run (None when every shard was done before)

    def __str__(self) -> str:
        return (f"{self.pages:,} pages, {self.directives:,} directives, {self.errors} errors in {self.seconds:.1f} s "
                f"({self.shards} shards, {self.shards_skipped} already done; {self.engine} engine, "
                f"{self.workers} workers) → {self.out}")


# ------------------------------------------------------------------ planning
_SUFFIXES = (".txt", ".jsonl", ".html", ".htm")


def expand_inputs(inputs: list[str], missing: list[dict] | None = None) -> list[Path]:
    """Files, folders (recursively: *.txt, *.jsonl, *.html, *.htm) and glob patterns, in a
    stable order. An input that names nothing, and anything in a folder that cannot be read as
    a file (a FIFO, a socket, a dangling link, a folder named like a file, an unreadable
    subfolder), is added to ``missing`` (or raises without it). Nothing here opens a file, so
    no special file is ever waited on."""
    found: list[Path] = []

    def problem_at(path: str, reason: str) -> None:
        if missing is None:
            raise BatchError(f"{path}: {reason}")
        missing.append({"path": path, "reason": reason})

    for item in inputs:
        matches = sorted(glob.glob(item, recursive=True)) if any(c in item for c in "*?[") else [item]
        if not matches:
            problem_at(item, "no file matches the pattern")
        for m in matches:
            p = Path(m)
            if p.is_dir() and not (m != item and p.suffix in _SUFFIXES):
                found.extend(_walk(p, problem_at))
            elif p.is_dir():
                problem_at(m, "is a folder, not a file")
            elif p.exists():
                found.append(p)
            elif p.is_symlink():
                problem_at(m, "a symbolic link to a file that does not exist")
            else:
                problem_at(item, "no such file or folder")
    seen, out = set(), []
    for p in found:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            out.append(r)
    return out


def _walk(root: Path, problem_at) -> list[Path]:
    out: list[Path] = []

    def onerror(exc: OSError) -> None:
        problem_at(exc.filename or str(root), f"cannot list the folder: {exc.strerror or exc}")

    for folder, dirs, files in os.walk(root, onerror=onerror):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if d.endswith(_SUFFIXES)]:
            q = Path(folder) / name
            if not name.endswith(_SUFFIXES) or name.endswith(".gold.jsonl"):
                continue
            try:
                st = q.stat()
            except OSError:
                problem_at(str(q), "a symbolic link to a file that does not exist" if q.is_symlink()
                           else "cannot be read")
                continue
            if stat.S_ISDIR(st.st_mode):
                problem_at(str(q), "is a folder, not a file")
            elif not stat.S_ISREG(st.st_mode):
                problem_at(str(q), "is a FIFO or other special file, not a regular file; not read")
            else:
                out.append(q)
    return out


def _line_starts(path: Path, every: int) -> tuple[int, list[int]]:
    """The number of lines of a file and the byte offset of every ``every``-th line."""
    n, pos, starts = 0, 0, []
    with open(path, "rb") as fh:
        for line in fh:
            if n % every == 0:
                starts.append(pos)
            n += 1
            pos += len(line)
    return n, starts


def plan_shards(inputs: list[str], input_kind: str = "auto", shard_size: int = 8,
                lines_per_unit: int = 200, missing: list[dict] | None = None) -> list[Shard]:
    """Cut the inputs into shards, deterministically."""
    units: list[Unit] = []
    for path in expand_inputs(inputs, missing):
        kind = input_kind if input_kind != "auto" else ("jsonl" if path.suffix == ".jsonl" else "text")
        if not path.is_file():  # a FIFO or device named on the command line: read_page refuses it
            kind = "text"
        if kind == "jsonl":
            n, offsets = _line_starts(path, lines_per_unit)
            for k, start in enumerate(range(0, max(n, 1), lines_per_unit)):
                units.append(Unit(str(path), "jsonl", start, min(n, start + lines_per_unit),
                                  offsets[k] if k < len(offsets) else 0))
        else:
            units.append(Unit(str(path), "text"))
    return [Shard(i, tuple(units[k:k + shard_size])) for i, k in enumerate(range(0, len(units), shard_size))]


# ------------------------------------------------------------------ the worker
_PIPELINES: dict = {}


def _pipeline(model: str | None, model_hash: str | None = None):
    """The worker's pipeline, loaded once; refuses a set other than the one the plan pinned."""
    from .pipeline import load

    if model not in _PIPELINES:
        _PIPELINES[model] = load(model)
    nlp = _PIPELINES[model]
    if model_hash is not None and nlp.model_hash != model_hash:
        raise BatchError(f"{nlp.model_dir}: the model set changed during the run (sha256 {nlp.model_hash[:12]}…, "
                         f"the plan pinned {model_hash[:12]}…); finished shards are kept; rerun with the pinned set")
    return nlp


def model_identity(model: str | None) -> dict:
    """Which set a run uses: its folder, the sha256 of its manifest and when it was made."""
    from .modelset import find_bundled, read_set

    path = Path(model) if model else find_bundled()
    model_set = read_set(path)
    return {"path": str(path.resolve()), "sha256": model_set.sha256, "created": model_set.manifest.get("created"),
            "components": model_set.component_names}


def tag_page_file(nlp, path: str, source: str, notes: list[str]) -> Iterator:
    """Read, decode and tag one page file (text or HTML, told apart by content), streaming its
    records. Raises :class:`~vnpolicy_nlp.reading.InputError` for a file that cannot be read or
    tagged (also part-way, after some records: a page too large for the memory left)."""
    from .reading import InputError, read_page

    page = read_page(path)
    notes.extend(page.notes)
    try:
        if page.kind == "html":
            yield from nlp.iter_html(page.text, source=source)
        else:
            yield from nlp.iter_bulletin(page.text, source=source)
    except MemoryError:
        raise InputError(page.where, "too large to tag in the memory available; split it first") from None
    except RecursionError:
        raise InputError(page.where, "nested too deeply to read") from None


def tag_record(nlp, item, source: str, notes: list[str]):
    """Tag one JSONL record, with its ``province``/``date`` as context."""
    from .context import record_context

    context, problems = record_context(item.record)
    notes.extend(f"{source}:{item.line}: {p}" for p in problems)
    rec = nlp(item.record["text"], context=context)
    rec.source, rec.index, rec.input = source, item.line - 1, item.record
    return rec


def _records_of_unit(nlp, unit: Unit, errors: list[dict], notes: list[dict] | None = None) -> Iterator[dict]:
    from .reading import InputError, read_jsonl_records

    said: list[str] = []
    if unit.kind == "text":
        n = 0
        try:
            for rec in tag_page_file(nlp, unit.path, unit.path, said):
                n += 1
                yield rec.to_dict()
        except InputError as exc:
            errors.append({"path": exc.where, "reason": exc.reason})
        except OSError as exc:
            if exc.errno in _DISK_FULL:  # the machine, not the page: stop the run
                raise OutputFault(exc.errno, f"cannot write {exc.filename or 'a temporary file'}: "
                                             f"{exc.strerror or exc}") from None
            errors.append({"path": unit.path, "reason": f"internal error ({type(exc).__name__}: {str(exc)[:200]})"})
        except Exception as exc:  # never let one page stop a batch: it is listed and the run goes on
            errors.append({"path": unit.path, "reason": f"internal error ({type(exc).__name__}: {str(exc)[:200]})"})
        else:
            if n == 0:
                errors.append({"path": unit.path, "reason": "no directive found in the page"})
        if notes is not None:
            notes.extend({"path": unit.path, "note": n} for n in said)
        return
    problems: list[InputError] = []
    for item in read_jsonl_records(unit.path, problems, lines=(unit.first_line, unit.last_line),
                                   first_byte=unit.first_byte):
        try:
            rec = tag_record(nlp, item, unit.path, said)
        except Exception as exc:
            errors.append({"path": f"{unit.path}:{item.line}",
                           "reason": f"internal error ({type(exc).__name__}: {str(exc)[:200]})"})
            continue
        yield rec.to_dict()
    if notes is not None:
        notes.extend({"path": unit.path, "note": n} for n in said)
    errors.extend({"path": p.where, "reason": p.reason} for p in problems)


_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


class OutputFault(OSError):
    """Writing the output failed (a full disk, a folder that cannot be written): the run stops."""


def tag_shard(shard: Shard, out_dir: str, fmt: str, model: str | None, model_hash: str | None = None) -> ShardResult:
    """Tag one shard and write it atomically (errors and signals first, then the shard file).
    JSONL rows are written as they are made, so a shard of huge records streams."""
    from . import signals

    t0 = time.perf_counter()
    nlp = _pipeline(model, model_hash)
    result = ShardResult(shard.index)
    out = Path(out_dir)
    target = out / f"{shard.name}.{fmt}"
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")  # hidden from readers until renamed
    table: dict = {}
    rows: list[dict] = []
    try:
        fh = open(tmp, "w", encoding="utf-8") if fmt == "jsonl" else None
        try:
            for unit in shard.units:
                page_rows = 0
                first_key = None
                n_errors = len(result.errors)
                for row in _records_of_unit(nlp, unit, result.errors):
                    signals.count_record(table, row)
                    first_key = first_key or signals.key_of(row.get("context"))
                    page_rows += 1
                    if fh is not None:
                        json.dump(row, fh, ensure_ascii=False, allow_nan=False)
                        fh.write("\n")
                    else:
                        rows.append(row)
                if unit.kind == "text":
                    result.pages += 1
                    page_sig = table.setdefault(first_key or "unknown|unknown", signals.Signals())
                    page_sig.pages += 1
                    if page_rows == 0 and len(result.errors) > n_errors \
                            and result.errors[-1]["reason"] == "no directive found in the page":
                        page_sig.pages_without_directive += 1
                else:
                    result.pages += unit.last_line - unit.first_line
                result.directives += page_rows
            if fh is not None:
                fh.flush()
                os.fsync(fh.fileno())
        finally:
            if fh is not None:
                fh.close()
        if fmt != "jsonl":
            from .tables import records_to_arrow

            import pyarrow.parquet as pq

            pq.write_table(records_to_arrow(rows), tmp)
        _atomic_write_text(out / _shard_errors(shard.index),
                           "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in result.errors))
        _atomic_write_text(out / _shard_signals(shard.index), json.dumps(signals.as_dict(table)))
        os.replace(tmp, target)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise OutputFault(exc.errno, f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
    result.seconds = time.perf_counter() - t0
    result.peak_rss_mb = _peak_rss_mb()
    return result


def _peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM where /proc has it (ru_maxrss also counts the
    peak of the process it was forked from)."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f"{'' if path.name[0] in '._' else '.'}{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# ------------------------------------------------------------------ running
class _Lock:
    """An exclusive lock on the output folder, released by the OS if the process dies."""

    def __init__(self, out: Path):
        self.path = out / LOCK
        self.fh = None

    def __enter__(self):
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise BatchError(f"{self.path.parent}: another batch run is writing here (lock {self.path}); "
                             "wait for it to finish or choose another --out") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"{os.getpid()}\n")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def run(inputs: list[str], out: str | Path, *, format: str = "jsonl", workers: int | None = None,
        engine: str = "local", scheduler: str | None = None, model: str | None = None,
        input_kind: str = "auto", shard_size: int = 8, progress: bool = True) -> BatchSummary:
    """Tag every page or record of ``inputs`` into sharded files under ``out``."""
    if format not in FORMATS:
        raise BatchError(f"format {format!r} is not one of {FORMATS}")
    if engine not in ENGINES:
        raise BatchError(f"engine {engine!r} is not one of {ENGINES}")
    if engine == "dask":
        import importlib.util

        if importlib.util.find_spec("distributed") is None or importlib.util.find_spec("dask") is None:
            raise BatchError("the dask engine needs Dask and distributed, which are an extra: "
                             "pip install 'vnpolicy-nlp[dask]' (or use --engine local)")
    workers = workers or os.cpu_count() or 1
    t0 = time.perf_counter()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BatchError(f"{out}: is a file; --out names a folder for the shards")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BatchError(f"{out}: cannot write the output folder ({exc.strerror or exc})") from None
    model = str(Path(model).resolve()) if model else None
    identity = model_identity(model)  # checks the whole set before any work
    missing: list[dict] = []
    shards = plan_shards(inputs, input_kind, shard_size, missing=missing)
    if not shards:
        raise BatchError("no input to tag: " + ("; ".join(f"{m['path']}: {m['reason']}" for m in missing)
                                                 or "no *.txt or *.jsonl file in " + ", ".join(inputs)))
    with _Lock(out):
        for stale in set(out.glob("*.tmp-*")) | set(out.glob(".*.tmp-*")):  # pathlib's * also matches dot-names
            stale.unlink(missing_ok=True)
        _migrate_side_files(out)
        plan = {"settings": {"format": format, "model": model, "input": input_kind, "shard_size": shard_size},
                "model_set": {"sha256": identity["sha256"], "path": identity["path"]},
                "shards": {s.name: s.key() for s in shards}}
        previous = _read_plan(out)
        if previous is not None:
            _check_resume(out, previous, plan)
        _atomic_write_text(out / PLAN, json.dumps(plan, indent=1))
        pending = [s for s in shards if not (out / f"{s.name}.{format}").exists()]
        skipped = len(shards) - len(pending)
        total_units = sum(len(s.units) for s in pending)
        bar = _progress(total_units, progress)
        results: list[ShardResult] = []
        done_units = 0
        for res in _execute(pending, str(out), format, model, identity["sha256"], workers, engine, scheduler):
            results.append(res)
            n = len(next(s for s in pending if s.index == res.index).units)
            done_units += n
            bar.update(n)
        bar.close()
        try:
            summary = _finish(out, shards, format, skipped, time.perf_counter() - t0, engine, workers, missing,
                              identity, max((r.peak_rss_mb for r in results), default=None))
        except OSError as exc:
            raise BatchError(f"cannot write {exc.filename or out}: {exc.strerror or exc}; the run stopped. Free "
                             "space and rerun the same command to finish") from None
    if progress:
        print(f"vnpolicy batch: {summary}", file=sys.stderr)
    return summary


def _check_resume(out: Path, previous: dict, plan: dict) -> None:
    """A rerun continues a run only with the same inputs, settings and model set."""
    before = previous.get("model_set") or {}
    if before.get("sha256") != plan["model_set"]["sha256"]:
        was = (f"model set {before['sha256'][:12]}… ({before.get('path')})" if before.get("sha256")
               else "a model set it did not record")
        raise BatchError(f"{out}: was started with {was}; this run would use model set "
                         f"{plan['model_set']['sha256'][:12]}… ({plan['model_set']['path']}). Shards tagged by two "
                         "different sets would be mixed, so it is refused: rerun with the first set (--model), or "
                         "use an empty --out")
    if {k: v for k, v in previous.items() if k != "model_set"} != {k: v for k, v in plan.items() if k != "model_set"}:
        raise BatchError(f"{out}: holds the output of a run with other inputs or settings (inputs, --model, "
                         "--format, --input or --shard-size); rerun with the same ones, or use an empty --out")


def _read_plan(out: Path) -> dict | None:
    path = out / PLAN
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="page", desc="tagging", disable=not enabled, smoothing=0.1,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]")


def _execute(shards: list[Shard], out: str, fmt: str, model: str | None, model_hash: str, workers: int,
             engine: str, scheduler: str | None) -> Iterator[ShardResult]:
    if not shards:
        return
    if engine == "dask":
        yield from _execute_dask(shards, out, fmt, model, model_hash, workers, scheduler)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("forkserver" if sys.platform != "win32" else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_watch_parent,
                                 initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(tag_shard, shard, out, fmt, model, model_hash) for shard in shards]
            try:
                for fut in as_completed(futures):
                    yield fut.result()
            except OutputFault as exc:
                for f in futures:
                    f.cancel()
                raise BatchError(f"{exc.strerror}; the run stopped. Finished shards are kept: free space (or fix "
                                 "the folder's permissions) and rerun the same command to continue") from None
    except BrokenProcessPool:
        raise BatchError("a worker process died. From a script, call vp.batch.run(...) under "
                         "`if __name__ == \"__main__\":` (workers import the script again); finished shards are "
                         "kept, so rerunning continues where it stopped") from None


def _watch_parent(parent: int) -> None:
    """In each worker: exit when the batch process that started it is gone (even after
    ``kill -9``), instead of tagging on for nobody."""
    import threading

    try:  # Linux: be told at once when the parent (the forkserver) dies
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 15)  # PR_SET_PDEATHSIG, SIGTERM
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(3)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="vnpolicy-parent-watch", daemon=True).start()


def _execute_dask(shards, out, fmt, model, model_hash, workers, scheduler) -> Iterator[ShardResult]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise BatchError("the dask engine needs Dask and distributed, which are an extra: "
                         "pip install 'vnpolicy-nlp[dask]' (or use --engine local)") from None

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(tag_shard, shards, out_dir=out, fmt=fmt, model=model, model_hash=model_hash, pure=False)
        try:
            for fut in as_completed(futures):
                yield fut.result()
        except OutputFault as exc:
            client.cancel(futures)
            raise BatchError(f"{exc.strerror}; the run stopped. Finished shards are kept: free space and rerun "
                             "the same command to continue") from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _finish(out: Path, shards: list[Shard], fmt: str, skipped: int, seconds: float, engine: str,
            workers: int, missing: list[dict], identity: dict, peak_rss_mb: float | None) -> BatchSummary:
    """Gather the errors and counts of all shards and write the manifest, last."""
    errors = list(missing)
    directives = pages = 0
    for s in shards:
        err_path = out / _shard_errors(s.index)
        if err_path.exists():
            errors += [json.loads(line) for line in err_path.read_text(encoding="utf-8").splitlines() if line]
        pages += sum(1 if u.kind == "text" else u.last_line - u.first_line for u in s.units)
    for s in shards:
        directives += _count_rows(out / f"{s.name}.{fmt}", fmt)
    _atomic_write_text(out / ERRORS, "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors))
    summary = BatchSummary(str(out), len(shards), skipped, pages, directives, len(errors), round(seconds, 2),
                           engine, workers, identity, peak_rss_mb)
    from . import signals

    table: dict = {}
    for s in shards:
        sig_path = out / _shard_signals(s.index)
        if sig_path.exists():
            signals.merge(table, json.loads(sig_path.read_text(encoding="utf-8")))
    manifest = {"format": fmt, "shards": [f"{s.name}.{fmt}" for s in shards], "summary": asdict(summary),
                "reliability": signals.rows(table), "model_set": identity, "complete": True}
    _atomic_write_text(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return summary


def _count_rows(path: Path, fmt: str) -> int:
    if fmt == "jsonl":
        with open(path, "rb") as fh:
            return sum(1 for _ in fh)
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def read_output(out: str | Path) -> Iterator[dict]:
    """The records of a finished batch, in shard order (JSONL output)."""
    out = Path(out)
    path = out / MANIFEST if (out / MANIFEST).exists() else out / "manifest.json"  # or an older folder
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest["format"] != "jsonl":
        raise BatchError(f"{out}: parquet output; read it with pandas.read_parquet or DuckDB")
    for name in manifest["shards"]:
        with open(out / name, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)
