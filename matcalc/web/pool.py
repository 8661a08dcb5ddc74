"""A pool of worker processes (`python -m matcalc.web.worker`) that the async endpoints
await: each derivation runs in a worker under a time budget and a memory cap.

- A request waits for an idle worker (at most `queue_seconds`, else 503 "busy"), sends
  one JSON line, and awaits one JSON line back for at most `budget` seconds.
- Past the budget the worker is killed and a fresh one is started in its place, so a
  heavy query never leaves a worker busy; the request gets a 422 "too large or too slow".
- A worker that ran out of memory (RLIMIT_AS) or died is replaced the same way.
- The event loop never blocks on a worker: other requests, the page and /api/health go on.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from ..limits import (
    WEB_MAX_RESULT_BYTES,
    WEB_QUEUE_SECONDS,
    WEB_TIME_BUDGET,
    WEB_WORKER_MEMORY,
)

__all__ = ["STARTUP_SECONDS", "WorkerPool", "limit_body"]

STARTUP_SECONDS = 60.0  # a worker that is not ready by then is a failed start


def limit_body(message: str, limit: str, expected: str | None = "a smaller query") -> dict:
    return {
        "message": message,
        "kind": "limit",
        "limit": limit,
        "line": None,
        "column": None,
        "width": None,
        "expected": expected,
    }


def _worker_env() -> dict:
    """The server's environment, with the folder of the matcalc it runs put first on the
    path: a worker imports the same matcalc as the server, from any working directory."""
    import matcalc

    root = os.path.dirname(os.path.dirname(os.path.abspath(matcalc.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


class _Worker:
    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc

    @classmethod
    async def start(cls, memory: int) -> _Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "matcalc.web.worker",
            str(memory),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2 * WEB_MAX_RESULT_BYTES + 4096,
            env=_worker_env(),
        )
        worker = cls(proc)
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), STARTUP_SECONDS)
            if json.loads(line or b"{}").get("ready") is not True:
                raise RuntimeError("the worker did not start")
        except BaseException:
            await worker.kill()
            raise
        return worker

    async def ask(self, job: str, request: dict, budget: float) -> tuple[int, dict]:
        """The worker's (status, body); TimeoutError past the budget, EOFError if it died."""
        self.proc.stdin.write(json.dumps({"job": job, "request": request}).encode() + b"\n")
        await self.proc.stdin.drain()
        line = await asyncio.wait_for(self.proc.stdout.readline(), budget)
        if not line:
            raise EOFError("the worker exited")
        answer = json.loads(line)
        return answer["status"], answer["body"]

    async def kill(self) -> None:
        if self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        await self.proc.wait()
        self.proc.stdin.close()  # the last pipe: the transport closes with it
        await asyncio.sleep(0)


class WorkerPool:
    def __init__(
        self,
        size: int = 2,
        budget: float = WEB_TIME_BUDGET,
        memory: int = WEB_WORKER_MEMORY,
        queue_seconds: float = WEB_QUEUE_SECONDS,
    ):
        self.size, self.budget, self.memory = size, budget, memory
        self.queue_seconds = queue_seconds
        self._idle: asyncio.Queue | None = None
        self._all: set = set()
        self._tasks: set = set()
        self.waiting = 0
        self.replaced = 0

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(_Worker.start(self.memory) for _ in range(self.size)))
        for w in workers:
            self._all.add(w)
            self._idle.put_nowait(w)

    async def close(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:  # replacements still starting: stopped, and
            task.cancel()  # their half-started workers killed
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(w.kill() for w in list(self._all)), return_exceptions=True)
        self._all.clear()

    def health(self) -> dict:
        return {
            "workers": len(self._all),
            "idle": self._idle.qsize() if self._idle else 0,
            "waiting": self.waiting,
            "replaced": self.replaced,
            "budget_seconds": self.budget,
        }

    async def run(self, job: str, request: dict) -> tuple[int, dict]:
        """(HTTP status, body): the job's answer, or a 422/503 refusal."""
        self.waiting += 1
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.queue_seconds)
        except asyncio.TimeoutError:
            return 503, limit_body(
                f"the server is busy: no worker was free within {self.queue_seconds:g} s",
                "busy",
                "a retry in a moment",
            )
        finally:
            self.waiting -= 1
        try:
            status, body = await worker.ask(job, request, self.budget)
        except asyncio.TimeoutError:
            self._replace(worker)
            return 422, limit_body(
                f"too large or too slow: the derivation took longer than the "
                f"{self.budget:g} s budget and was stopped",
                "time",
                "a smaller expression (fewer terms or less nesting)",
            )
        except (EOFError, ConnectionError, ValueError, KeyError):
            self._replace(worker)
            return 422, limit_body(
                "too large: the worker ran out of memory and was restarted", "memory"
            )
        except BaseException:  # cancelled mid-job: the worker is not ours
            self._replace(worker)  # to hand on with an answer still pending
            raise
        if body.get("limit") == "memory":
            self._replace(worker)
        else:
            self._idle.put_nowait(worker)
        return status, body

    def _replace(self, worker: _Worker) -> None:
        self.replaced += 1
        task = asyncio.ensure_future(self._renew(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _renew(self, old: _Worker) -> None:
        self._all.discard(old)
        await old.kill()
        for attempt in range(3):
            try:
                fresh = await _Worker.start(self.memory)
            except (OSError, RuntimeError, ValueError, asyncio.TimeoutError) as failure:
                print(
                    f"matcalc serve: a worker failed to start ({failure}); retrying",
                    file=sys.stderr,
                )
                await asyncio.sleep(1.0 + attempt)
                continue
            self._all.add(fresh)
            self._idle.put_nowait(fresh)
            return
        print("matcalc serve: could not start a replacement worker", file=sys.stderr)
