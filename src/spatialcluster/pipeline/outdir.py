"""Writing an output folder so that nothing is lost: build it beside the target, then rename.

A failed or interrupted run leaves the previous folder (if any) untouched and no half-written
file under the target name; only the hidden ``.<name>.*.tmp`` build folder may remain after a
hard kill, and it is removed on the next run's failure path or can be deleted by hand.

What is never touched (``docs/user_guide/outputs_and_safety.md``): a folder that is, or
contains, the working folder, the user's home, the file system root, the config, an input or
the installed package; a folder spatialcluster did not write (no :data:`MARKER`), or one with
files added or changed since it was written, even with ``overwrite``. Two runs into the same
target at once: the second stops at the lock and names the first.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path

from .._errors import InputError

#: The mark of a folder spatialcluster wrote: the files it wrote there, with their sizes.
MARKER = ".spatialcluster-output.json"
_SHOWN = 5  # files named in a refusal
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS}


def umask() -> int:
    """The process umask (read by setting and restoring it: the only portable way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path, folder: bool = False) -> None:
    """Give ``path`` the mode a plain ``open``/``mkdir`` would have: mkstemp/mkdtemp make 0600/0700."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


def real_path(path) -> Path:
    """The absolute path with every symbolic link resolved (what a write would really touch)."""
    return Path(os.path.realpath(Path(path).expanduser()))


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def _listing(folder: Path, extra: list[str] = ()) -> str:
    """A few names in ``folder`` (the given ones first) and how many more, for a refusal."""
    try:
        names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
    except OSError:
        names = []
    names = list(dict.fromkeys([*extra, *names]))
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def check_target(out: Path, overwrite: bool, protect=()) -> Path:
    """Return the real folder to write (a symbolic link's target); refuse a target whose
    replacement would lose what the run did not write.

    ``protect``: the config and input files of the run; ``out`` may not be or contain them.
    """
    given = Path(os.path.abspath(Path(out).expanduser()))
    target = real_path(given)
    shown = str(given) if target == given else f"{given} (a link to {target})"
    inputs = [(real_path(p), f"the input {Path(p).name}") for p in protect if p is not None]
    guarded = [(Path(os.getcwd()), "the working folder"), (real_path(Path.home()), "your home folder"),
               (real_path(Path(__file__).parents[1]), "the installed spatialcluster package"), *inputs]
    hits = [(p, what) for p, what in guarded if _within(p, target)]
    if target.parent == target or hits:
        what = "the file system root" if target.parent == target else " and ".join(dict.fromkeys(w for _, w in hits))
        inside = [str(p.relative_to(target)) + ("/" if p.is_dir() else "") for p, _ in hits if p != target]
        raise InputError(
            f"refusing --out {shown}: it is or contains {what}. Replacing it would lose files the run did not "
            f"write ({_listing(target, inside) or 'everything below it'}). Give a new folder for the results, "
            f"e.g. --out {given / 'results' if target.parent != target else '~/results'}"
            + (" (an empty --out, or '.', means the working folder)" if str(out) in ("", ".") else "")
        )
    for p, what in inputs:
        if _within(target, p) and p.is_dir():
            raise InputError(f"refusing --out {shown}: it is inside {what}, which the run only reads; "
                             "choose a folder outside it")
    if target.exists() and not target.is_dir():
        raise InputError(f"output path {shown!r} exists and is a file, not a folder; choose another --out")
    if target.is_dir() and any(target.iterdir()):
        if not overwrite:
            raise InputError(
                f"output folder {shown!r} exists and is not empty; pass --overwrite to replace it "
                "(the old folder is replaced only after the new one is complete) or choose another --out"
            )
        _check_ours(target, shown)
    return target


def _check_ours(target: Path, shown: str) -> None:
    """``--overwrite`` replaces only a folder spatialcluster wrote, unchanged since then."""
    try:
        written = json.loads((target / MARKER).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(
            f"--overwrite replaces only a folder that spatialcluster wrote (it holds {MARKER}); {shown} has no such "
            f"mark and holds {_listing(target)}. Nothing was changed: move those files elsewhere, or choose another --out"
        ) from None
    now = {str(p.relative_to(target).as_posix()): p.stat().st_size
           for p in sorted(target.rglob("*")) if p.is_file() and p.name != MARKER}
    foreign = [f"{name} ({'added' if name not in written else 'changed'})"
               for name, size in now.items() if written.get(name) != size]
    if foreign:
        more = f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
        raise InputError(
            f"--overwrite would delete files in {shown} that spatialcluster did not write: "
            f"{', '.join(foreign[:_SHOWN])}{more}. Nothing was changed: move them out of the folder, or choose another --out"
        )


@contextlib.contextmanager
def _lock(target: Path, shown: str):
    """An exclusive lock ``.<name>.lock`` beside the target; the OS releases it when the process
    dies, so a killed run never blocks the next one."""
    path = target.parent / f".{target.name}.lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            _lock_fd(fd)
        except OSError as exc:
            if exc.errno in _NO_LOCKS:  # a file system without locks (some network mounts): go on without
                break
            pid = ""
            with contextlib.suppress(OSError):
                pid = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise InputError(
                f"another spatialcluster run (pid {pid or 'unknown'}) is writing {shown} right now; wait for it "
                "to finish or choose another --out"
            ) from None
        # the holder before us may have removed the file while we waited to lock it: lock the one on disk
        with contextlib.suppress(FileNotFoundError):
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


@contextlib.contextmanager
def staged_folder(out: Path, overwrite: bool, protect=()):
    """Yield a fresh build folder next to ``out``; on success move it into place atomically.

    The build folder is on the same file system as ``out`` (same parent; for a symbolic link, the
    link's target), so the final step is a rename; the link itself stays. An existing ``out`` is
    renamed aside first and deleted only after the new one is in place. The finished folder gets
    :data:`MARKER` and the modes the umask gives. See :func:`check_target` for what is refused.
    """
    given = Path(os.path.abspath(Path(out).expanduser()))
    check_target(out, overwrite, protect)  # the refusals first: they need no lock
    with contextlib.ExitStack() as stack:
        try:
            real_path(given).parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(_lock(real_path(given), str(given)))
        except OSError as exc:
            raise _cannot_write(given, exc) from None
        # again under the lock: a run that finished meanwhile has made the folder non-empty
        yield stack.enter_context(_build(check_target(out, overwrite, protect)))


def _cannot_write(out: Path, exc: OSError) -> InputError:
    return InputError(f"cannot write the output folder {str(out)!r}: {exc.strerror or exc} ({exc.filename or out.parent}); "
                      "choose a folder you can write to with --out")


@contextlib.contextmanager
def _build(out: Path):
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    try:
        yield tmp
        files = {str(p.relative_to(tmp).as_posix()): p.stat().st_size for p in sorted(tmp.rglob("*")) if p.is_file()}
        atomic_write_text(tmp / MARKER, json.dumps({"written_by": "spatialcluster", "files": files}, indent=1) + "\n")
        follow_umask(tmp, folder=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    try:
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(tmp, out)
    except OSError as exc:
        if old is not None and not out.exists():
            os.replace(old, out)
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"cannot move the finished output into {str(out)!r}: {exc.strerror or exc}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file under a temporary name in the same folder, then rename it into place."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        follow_umask(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
