"""Benchmark: reads at a fixed rate while a burst of uploads arrives, against a real API process.

An open-loop reader sends `GET /api/v1/projects` at --rps for --duration seconds; after
--burst-at seconds, --uploads distinct small datasets are uploaded at once. A client told
429/503 waits its Retry-After and sends again (what a well-behaved client does). Reports the
reads' latency percentiles and status codes, the uploads' first answers and final outcome,
and whether every accepted upload is stored exactly once.

The API runs from --repo (default: this checkout; a `git worktree` of an older commit gives
the "before" figures with the same script), with PostgreSQL (--postgres, a throwaway database
on 127.0.0.1, as the tests make one) and Redis (--redis URL), or on the embedded defaults
(SQLite, no Redis). The load generator shares the machine's CPUs with the API, as a tester's
laptop does. CPU only:

    .venv/bin/python -m benchmarks.upload_load --postgres --redis redis://127.0.0.1:6379/7 \\
        --name upload-load-postgres --out benchmarks/results
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np

from benchmarks.bench_env import ROOT, environment, write_result
from benchmarks.ingest_throughput import synthetic_archive
from tests.support.services import postgres_database

API = "/api/v1"
PASSWORD = "load benchmark password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def api_process(repo: Path, env: dict[str, str]) -> Iterator[str]:
    """Migrate, then `uvicorn backend.main:app` from `repo` on a free port; its base URL."""
    full = {**os.environ, **env, "PYTHONPATH": str(repo)}
    subprocess.run(
        [sys.executable, "-c", "from backend.migrations import upgrade_to_head as u; u()"],
        cwd=repo,
        env=full,
        check=True,
    )
    port = free_port()
    log = Path(env["KONSTRUKTOR_VAR_DIR"]).parent / "api.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "backend.main:app", "--port", str(port)],
            cwd=repo,
            env=full,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{url}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError(log.read_text()[-3000:]) from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # still draining requests: stop it
                proc.kill()
                proc.wait()


def archives(count: int, folder: Path) -> list[bytes]:
    """`count` distinct small ImageFolder zips (2 classes x 4 images of 96 px)."""
    out = []
    for seed in range(count):
        path = folder / f"upload-{seed}.zip"
        synthetic_archive(path, images=8, seed=seed, classes=2)
        out.append(path.read_bytes())
    return out


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    ms = np.asarray(values) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


async def run_load(url: str, args: argparse.Namespace, data: list[bytes]) -> dict[str, Any]:
    """aiohttp, not httpx: a Python client must itself keep up with a few hundred requests
    a second on the same two cores (httpx's pool took most of the CPU here)."""
    connector = aiohttp.TCPConnector(limit=args.uploads + 200)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as c:
        email = f"load-{uuid.uuid4().hex[:8]}@example.com"
        account = {"email": email, "password": PASSWORD}
        await (await c.post(f"{API}/auth/register", json=account)).read()
        token = await (await c.post(f"{API}/auth/login", json=account)).json()
        auth = {"Authorization": f"Bearer {token['token']}"}
        created = await c.post(f"{API}/projects", json={"name": "load"}, headers=auth)
        project = (await created.json())["id"]

        reads: list[tuple[float, str]] = []
        timeline: list[tuple[float, float]] = []  # (sent at, seconds) per read, for --trace

        async def read() -> None:
            start = time.monotonic()
            try:
                async with c.get(f"{API}/projects", headers=auth) as r:
                    await r.read()
                    status = str(r.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = type(exc).__name__
            reads.append((time.monotonic() - start, status))
            timeline.append((start - begin, time.monotonic() - start))

        first: list[str] = []
        final: list[str] = []
        retries = 0
        upload_s: list[float] = []

        async def upload(n: int) -> None:
            nonlocal retries
            start, answered = time.monotonic(), False
            while True:
                try:
                    async with c.post(
                        f"{API}/projects/{project}/datasets",
                        params={"name": f"u{n}"},
                        data=data[n],
                        headers={**auth, "Content-Type": "application/zip"},
                    ) as r:
                        await r.read()
                        status, wait = str(r.status), r.headers.get("Retry-After")
                except (aiohttp.ClientError, TimeoutError) as exc:
                    status, wait = type(exc).__name__, None
                if not answered:
                    first.append(status)
                    answered = True
                if status in ("429", "503") and wait and time.monotonic() - start < args.give_up:
                    retries += 1
                    await asyncio.sleep(float(wait))
                    continue
                final.append(status)
                upload_s.append(time.monotonic() - start)
                return

        tasks: list[asyncio.Task[None]] = []
        begin = time.monotonic()
        burst = None
        for tick in range(int(args.rps * args.duration)):
            due = begin + tick / args.rps
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(read()))
            if burst is None and due - begin >= args.burst_at:
                burst = [asyncio.create_task(upload(n)) for n in range(args.uploads)]
        elapsed = time.monotonic() - begin
        await asyncio.gather(*tasks, *(burst or []))
        try:  # an API that did not survive the load cannot say what it stored
            async with c.get(f"{API}/projects/{project}/datasets", headers=auth) as r:
                listed = await r.json() if r.status == 200 else None
        except (aiohttp.ClientError, TimeoutError):
            listed = None

    if args.trace:
        windows: dict[int, list[float]] = {}
        for sent, seconds in timeline:
            windows.setdefault(int(sent // 5) * 5, []).append(seconds)
        rows = [
            f"{w},{len(v)},{percentiles(v)['p50_ms']},{percentiles(v)['p99_ms']}"
            for w, v in sorted(windows.items())
        ]
        args.trace.write_text("window_s,reads,p50_ms,p99_ms\n" + "\n".join(rows) + "\n")
    statuses = Counter(status for _, status in reads)
    accepted = sum(s in ("200", "201") for s in final)
    stored: dict[str, Any] = {"accepted": accepted, "answered_after_the_load": listed is not None}
    if listed is not None:
        names = Counter(d["name"] for d in listed)
        stored |= {
            "datasets": len(listed),
            "each_accepted_upload_stored_once": len(listed) == accepted
            and all(count == 1 for count in names.values())
            and all(len(d["versions"]) == 1 for d in listed),
        }
    return {
        "reads": {
            "sent": len(reads),
            "offered_rps": args.rps,
            "achieved_rps": round(len(reads) / elapsed, 1),
            "statuses": dict(statuses),
            "server_errors": sum(s.startswith("5") for s in statuses.elements()),
            "transport_errors": sum(not s.isdigit() for s in statuses.elements()),
            **percentiles([t for t, s in reads if s == "200"]),
        },
        "uploads": {
            "sent": args.uploads,
            "first_answers": dict(Counter(first)),
            "final_answers": dict(Counter(final)),
            "retries_after_retry_after": retries,
            "server_errors_first": sum(s.startswith("5") for s in first),
            "internal_errors_first": first.count("500"),
            **{f"upload_{k}": v for k, v in percentiles(upload_s).items()},
        },
        "stored": stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="the checkout whose API runs")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL database")
    parser.add_argument("--redis", default=None, help="REDIS_URL for the API (none: embedded)")
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--rps", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--burst-at", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    parser.add_argument("--give-up", type=float, default=300.0, help="stop retrying after")
    parser.add_argument("--trace", type=Path, default=None, help="reads' p50/p99 per 5 s, CSV")
    parser.add_argument("--name", default="upload-load")
    parser.add_argument("--out", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = environment()
    with tempfile.TemporaryDirectory(prefix="konstruktor-load-") as tmp:
        env = {"KONSTRUKTOR_VAR_DIR": str(Path(tmp) / "var")}
        if args.redis:
            env["REDIS_URL"] = args.redis
        data = archives(args.uploads, Path(tmp))
        with postgres_database() if args.postgres else _none() as database:
            if database:
                env["DATABASE_URL"] = database
            with api_process(args.repo.resolve(), env) as url:
                measured = asyncio.run(run_load(url, args, data))
    result = {
        **run,
        "api_commit": _commit_of(args.repo),
        "database": "postgresql" if args.postgres else "sqlite",
        "broker": "redis" if args.redis else "filesystem",
        "reads_endpoint": "GET /api/v1/projects (authenticated)",
        "upload_size_bytes": int(np.mean([len(d) for d in data])) if data else 0,
        "settings": vars(args) | {k: str(vars(args)[k]) for k in ("repo", "out", "trace")},
        **measured,
    }
    print(json.dumps(result, indent=2))
    if args.out:
        print(write_result(args.out, args.name, result))


@contextmanager
def _none() -> Iterator[None]:
    yield None


def _commit_of(repo: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=False
    ).stdout.strip()


if __name__ == "__main__":
    main()
