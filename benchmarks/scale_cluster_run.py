"""Issue 17's "done when": a 2-worker Dask cluster exports N generated issues, one worker killed mid-run,
and writes the same books as a local `--jobs 2` run.

1. Generates N full-size issues (benchmarks/scale_archive.py: 24 pages, 150 articles, 30 photos each).
2. Exports them locally: `epaper export SRC -f FMT -j 2`.
3. Starts a LocalCluster of 2 worker processes (1 thread each, with nannies, as `dask worker` runs),
   exports the same issues with `--scheduler`, and once a tenth of the books are written, kills one
   worker with SIGKILL (its nanny starts a fresh one; Dask hands the lost book to a worker).
4. Compares every output byte for byte and prints wall time, CPU time (epaper's own process and the
   cluster workers'), the load average, and the differences if any.

With --local-every K the local run exports every K-th issue only (a year of PDFs is about 1.7
CPU-hours per run on a 2-CPU machine): the Dask run still writes all N, and the sample is compared.

Run (heavy: nice it): nice -n 10 .venv/bin/python benchmarks/scale_cluster_run.py --issues 365 -f epub [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scale_archive import make_scale_archive  # noqa: E402

EPAPER = [sys.executable, "-m", "exporter"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def outputs(out: Path, fmt: str) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob(f"*.{fmt}"))}


def local_run(src: Path, out: Path, fmt: str) -> tuple[float, float, float]:
    """Return wall, CPU, load of `epaper export -j 2`."""
    load, cpu0, started = os.getloadavg()[0], children_cpu(), time.perf_counter()
    done = subprocess.run([*EPAPER, "export", str(src), "-f", fmt, "-o", str(out), "-j", "2", "-q"], cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"local run failed ({done.returncode})")
    return time.perf_counter() - started, children_cpu() - cpu0, load


def cluster_run(src: Path, out: Path, fmt: str, books: int) -> tuple[float, float, float, int | None, str]:
    """Return wall, CPU (client + workers, the killed one's CPU until its death not counted), load,
    the killed worker's pid, and the client's last stderr lines."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40) as lc,
        Client(lc) as client,
    ):
        workers0 = sum(client.run(_self_cpu).values())
        load, cpu0, started = os.getloadavg()[0], children_cpu(), time.perf_counter()
        command = [*EPAPER, "export", str(src), "-f", fmt, "-o", str(out), "--scheduler", lc.scheduler_address]
        proc = subprocess.Popen([*command, "-q"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        killed = None
        while proc.poll() is None:
            if killed is None and len(list(out.rglob(f"*.{fmt}"))) >= max(1, books // 10):
                busy = [worker for worker, keys in client.processing().items() if keys]
                if busy:
                    killed = client.run(os.getpid, workers=busy[:1])[busy[0]]
                    os.kill(killed, signal.SIGKILL)
                    print(f"killed worker pid {killed} after {time.perf_counter() - started:.0f} s", flush=True)
            time.sleep(0.2)
        _, err = proc.communicate()
        wall = time.perf_counter() - started
        client.wait_for_workers(2, timeout=120)
        workers = sum(client.run(_self_cpu).values())  # The restarted worker counts from its start.
        cpu = children_cpu() - cpu0 + workers - workers0
        if proc.returncode != 0:
            raise SystemExit(f"cluster run failed ({proc.returncode}):\n{err[-2000:]}")
        return wall, cpu, load, killed, err.strip()[-500:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", type=int, default=365)
    parser.add_argument("-f", "--format", default="epub", choices=["epub", "pdf"])
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated archive and outputs here")
    parser.add_argument("--local-every", type=int, default=1, help="the local run exports every K-th issue only")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="epaper-cluster-"))
    src = work / f"src-{args.issues}"
    if not src.exists():
        started = time.perf_counter()
        make_scale_archive(src, args.issues)
        print(f"generated {args.issues} issues in {time.perf_counter() - started:.0f} s", flush=True)
    local, remote = work / f"local-{args.issues}-{args.format}", work / f"dask-{args.issues}-{args.format}"
    for out in (local, remote):
        shutil.rmtree(out, ignore_errors=True)
    print(f"machine: {os.cpu_count()} CPUs; {args.issues} issues to {args.format.upper()}", flush=True)
    sample = sampled(src, work / f"sample-{args.issues}-{args.local_every}", args.local_every)
    wall, cpu, load = local_run(sample, local, args.format)
    print(f"local --jobs 2 ({sample.name}): {wall:.0f} s wall, {cpu:.0f} s CPU, load {load:.1f}", flush=True)
    wall, cpu, load, killed, _ = cluster_run(src, remote, args.format, args.issues)
    print(f"Dask, 2 workers, one killed: {wall:.0f} s wall, {cpu:.0f} s CPU, load {load:.1f}", flush=True)
    mine, theirs = outputs(remote, args.format), outputs(local, args.format)
    differ = sorted(name for name in theirs if mine.get(name) != theirs[name])
    missing = sorted(set(theirs) - set(mine))
    print(
        f"books: Dask {len(mine)} of {args.issues}; local {len(theirs)}, of which byte-identical in Dask's "
        f"{len(theirs) - len(differ)}, different {len(differ)}, missing in Dask's {len(missing)}; "
        f"worker killed: {'yes' if killed else 'no'}"
    )
    for name in (differ + missing)[:10]:
        print("  differs:", name)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    complete = len(mine) == args.issues and len(theirs) == len(
        [p for p in sample.iterdir() if p.is_dir() and not p.name.startswith(".")]
    )
    sys.exit(0 if killed and not differ and not missing and complete else 1)


def sampled(src: Path, target: Path, every: int) -> Path:
    """`src` itself, or a copy (hard links) of it with every `every`-th issue folder only."""
    if every <= 1:
        return src
    shutil.rmtree(target, ignore_errors=True)
    issues = sorted(p.name for p in src.iterdir() if p.is_dir() and not p.name.startswith("."))
    kept = set(issues[::every])
    shutil.copytree(
        src,
        target,
        copy_function=os.link,
        ignore=lambda d, names: [n for n in names if Path(d) == src and n in issues and n not in kept],
    )
    return target


if __name__ == "__main__":
    main()
