"""Run every benchmark in this folder, one after the other, and print their ratio tables.

Each ``bench_*.py`` runs spatialcluster and its peers (esda, libpysal, spreg, pygeoda, giddy) side by
side in one process and prints times, peak memory and ratios. ``--quick`` passes small N to
each, for a smoke run; without it the full sizes of issue 7 are used (about half an hour here).
The combined output is also written to ``benchmarks/results/<date>.txt``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small N only")
    parser.add_argument("only", nargs="*", help="benchmark names to run, e.g. local models")
    args = parser.parse_args(argv)

    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    log = out_dir / f"{dt.datetime.now():%Y%m%d-%H%M%S}{'-quick' if args.quick else ''}.txt"
    failed = []
    with log.open("w") as fh:
        for script in scripts:
            cmd = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
            header = f"\n=== {script.name} {'(quick)' if args.quick else ''}\n"
            print(header, flush=True)
            fh.write(header)
            proc = subprocess.run(cmd, capture_output=True, text=True)
            print(proc.stdout, flush=True)
            fh.write(proc.stdout)
            if proc.returncode:
                failed.append(script.name)
                print(proc.stderr, file=sys.stderr)
                fh.write(proc.stderr)
    print(f"\nwritten to {log}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
