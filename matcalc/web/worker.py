"""A worker process of the web API: `python -m matcalc.web.worker MEMORY_BYTES`.

Reads one JSON request per line on stdin (`{"job": name, "request": {...}}`), writes one
JSON answer per line on stdout (`{"status": 200 | 400 | 422 | 500, "body": {...}}`).
Its address space is capped (RLIMIT_AS) as it starts; the pool in `matcalc.web.pool`
enforces the time budget by killing the process, and replaces a worker that ran out of
memory. Anything the
derivation prints goes to stderr: stdout carries answers only.
"""

from __future__ import annotations

import json
import os
import sys

__all__ = ["main"]

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread each: the pool runs several workers


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the time budget
        pass  # still holds


def _answer(job: str, request: dict, max_bytes: int) -> str:
    from .jobs import run

    try:
        status, body = run(job, request)
        text = json.dumps({"status": status, "body": body}, ensure_ascii=False)
    except MemoryError:
        return _limit("the derivation needed more memory than a worker may use", "memory")
    except Exception as bug:  # noqa: BLE001 -- a bug in matcalc: reported, not a traceback
        import traceback

        traceback.print_exc(file=sys.stderr)
        return json.dumps(
            {
                "status": 500,
                "body": {
                    "message": f"internal error ({type(bug).__name__}): please report this query",
                    "kind": "internal",
                    "line": None,
                    "column": None,
                    "width": None,
                    "expected": None,
                },
            }
        )
    if len(text.encode()) > max_bytes:
        return _limit(f"the answer is larger than {max_bytes // 1024} KiB", "size")
    return text


def _limit(message: str, what: str) -> str:
    return json.dumps(
        {
            "status": 422,
            "body": {
                "message": message,
                "kind": "limit",
                "limit": what,
                "line": None,
                "column": None,
                "width": None,
                "expected": "a smaller query",
            },
        }
    )


def main() -> None:
    memory = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints go to stderr, not the answers
    sys.stdout = sys.stderr
    if memory:
        _limit_memory(memory)
    try:
        os.nice(5)  # the server's event loop (the page, /api/health) goes first
    except (AttributeError, OSError):
        pass
    from ..limits import WEB_MAX_RESULT_BYTES
    from .jobs import run

    run("derivative", {"query": "w, x: vector(n); b: scalar; max(0, w·x + b)", "wrt": "w"})
    answers.write('{"ready": true}\n')
    answers.flush()
    for line in sys.stdin:
        try:
            message = json.loads(line)
            job, request = message["job"], message["request"]
        except (ValueError, KeyError, TypeError):
            answers.write(_limit("malformed request to the worker", "protocol") + "\n")
            answers.flush()
            continue
        answers.write(_answer(job, request, WEB_MAX_RESULT_BYTES) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
