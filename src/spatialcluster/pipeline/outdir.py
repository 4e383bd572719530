"""Writing an output folder so that nothing is lost: build it beside the target, then rename.

A failed or interrupted run leaves the previous folder (if any) untouched and no half-written
file under the target name; only the hidden ``.<name>.*.tmp`` build folder may remain after a
hard kill, and it is removed on the next run's failure path or can be deleted by hand.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from .._errors import InputError


def check_target(out: Path, overwrite: bool) -> Path:
    """Refuse a non-empty target without ``overwrite``, a target that is a file, an unwritable parent."""
    out = Path(out).expanduser().absolute()
    if out.exists() and not out.is_dir():
        raise InputError(f"output path {str(out)!r} exists and is a file, not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise InputError(
            f"output folder {str(out)!r} exists and is not empty; pass --overwrite to replace it "
            "(the old folder is replaced only after the new one is complete) or choose another --out"
        )
    return out


@contextlib.contextmanager
def staged_folder(out: Path, overwrite: bool):
    """Yield a fresh build folder next to ``out``; on success move it into place atomically.

    The build folder is on the same file system as ``out`` (same parent), so the final step is a
    rename. An existing ``out`` is renamed aside first and deleted only after the new one is in place.
    """
    out = check_target(out, overwrite)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise InputError(
            f"cannot write the output folder {str(out)!r}: {exc.strerror or exc} ({exc.filename or out.parent}); "
            "choose a folder you can write to with --out"
        ) from None
    try:
        yield tmp
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
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
