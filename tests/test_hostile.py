"""Issue 7's bad-input corpus (tests/hostile_corpus.py), run as a user would meet it.

Each `Cli` case runs the console script as `python -m matcalc ARGV` in a subprocess, in an
empty temporary directory, under RLIMIT_AS (memory) and RLIMIT_CPU (set by a small launcher
that then execs the command) plus a wall-clock timeout; its promises (README, issue 7): the expected exit status (2 = bad input), exactly
one message on stderr, a caret under the place where there is one, no traceback, no raw
control characters echoed to the terminal, a bounded message, bounded CPU, and no command
run on the user's behalf. `Api` cases run in one worker subprocess (restarted if a case kills
it) under the same limits: they raise `matcalc.MatcalcError` (the named subclass), never
another exception, or return.

The subprocesses import the same `matcalc` as this test process (its parent directory goes
first on PYTHONPATH): the checkout when the tests run from a checkout, the installed package
in CI (`.ci/run`). Cases run two at a time; only the selected cases run (`-k`).

`report()` runs the whole corpus and prints the failures grouped by cause (see its docstring).
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import hostile_corpus as corpus
import pytest

import matcalc

TESTS = os.path.dirname(os.path.abspath(__file__))
IMPORT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(matcalc.__file__)))
MEMORY_LIMIT = 1536 << 20  # bytes of address space per subprocess
CPU_LIMIT = 20  # seconds of CPU per case, at most (the kernel's stop)
WALL_LIMIT = 120  # seconds of wall-clock per CLI case (the CPU limit acts first)
WORKERS = 2
MAX_STDERR = 20_000  # characters: a message, not a dump
SENTINEL = "pwned"  # the injection cases try to create this file

CLI_CASES = [c for c in corpus.CASES if isinstance(c, corpus.Cli)]
API_CASES = [c for c in corpus.CASES if isinstance(c, corpus.Api)]

# a name of a Python exception in a message means an exception leaked into the text
_PY_EXCEPTION = re.compile(
    r"\b(Traceback|[A-Z][A-Za-z]*(Error|Exception)|KeyError|"
    r"StopIteration|NotFactorable|BudgetExceeded)\b"
)
_KNOWN_KINDS = ("ShapeError", "ParseError", "LimitError", "NameError_")
# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LOCATED = re.compile(r"line (\d+), column (\d+)")
_CARET = re.compile(r" *\^+ *")
_ESCAPE = re.compile(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}")


# ------------------------------------------------------------------------- environment
def child_env(extra=()) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONSAFEPATH", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [IMPORT_ROOT, env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONWARNINGS", None)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"  # one BLAS thread: less address space, fair CPU time
    for name, value in extra:
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


# Sets the limits, closes the file descriptors asked for, then becomes the real command:
# thread-safe, where a preexec_fn is not (the cases run on a thread pool).
_LAUNCHER = """\
import os, resource, sys
memory, cpu, closed = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
for fd in filter(str.isdigit, closed.split(",")):
    os.close(int(fd))
os.execv(sys.argv[4], sys.argv[4:])
"""


def limited(argv, cpu_seconds: int, close=()) -> list:
    """argv, run under the memory and CPU limits with the file descriptors `close` closed."""
    return [
        sys.executable,
        "-I",
        "-S",
        "-c",
        _LAUNCHER,
        str(MEMORY_LIMIT),
        str(cpu_seconds),
        ",".join(map(str, close)) or "-",
        *argv,
    ]


@dataclass
class Run:
    status: int | None  # exit status; negative: killed by that signal
    stdout: str
    stderr: str
    cpu: float
    wall: float
    timed_out: bool
    created: list  # files the case left in its working directory


def run_process(
    argv,
    env,
    cpu_seconds=CPU_LIMIT,
    wall=WALL_LIMIT,
    stdout="pipe",
    stderr="pipe",
    encoding="utf-8",
    stdin_bytes=None,
) -> Run:
    """Run argv in a fresh temporary directory under the limits; CPU time from wait4."""
    with tempfile.TemporaryDirectory(prefix="matcalc-hostile-") as tmp:
        out_path, err_path = os.path.join(tmp, ".out"), os.path.join(tmp, ".err")
        with (
            open(out_path, "wb") as out_file,
            open(err_path, "wb") as err_file,
            open("/dev/full", "wb") as full,
        ):
            close = [fd for fd, how in ((1, stdout), (2, stderr)) if how == "closed"]
            proc = subprocess.Popen(
                limited(argv, cpu_seconds, close),
                cwd=tmp,
                env=env,
                stdin=subprocess.PIPE if stdin_bytes is not None else subprocess.DEVNULL,
                stdout={"pipe": out_file, "devfull": full, "closed": None}[stdout],
                stderr={"pipe": err_file, "closed": None}[stderr],
            )
            lock, state = threading.Lock(), {"done": False, "killed": False}

            def kill():
                with lock:
                    if not state["done"]:
                        state["killed"] = True
                        os.kill(proc.pid, signal.SIGKILL)

            timer = threading.Timer(wall, kill)
            timer.start()
            start = time.monotonic()
            if stdin_bytes is not None:
                try:
                    proc.stdin.write(stdin_bytes)
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
            _, wait_status, usage = os.wait4(proc.pid, 0)
            with lock:
                state["done"] = True
            timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(wait_status)
        with open(out_path, "rb") as f:
            out = f.read().decode(encoding, errors="replace")
        with open(err_path, "rb") as f:
            err = f.read().decode(encoding, errors="replace")
        created = sorted(set(os.listdir(tmp)) - {".out", ".err"})
    return Run(
        proc.returncode,
        out,
        err,
        usage.ru_utime + usage.ru_stime,
        time.monotonic() - start,
        state["killed"],
        created,
    )


# ------------------------------------------------------------------------- CLI cases
def run_cli(case: corpus.Cli) -> Run:
    env = child_env(case.env)
    encoding = env.get("PYTHONIOENCODING") or "ascii"
    argv = [sys.executable, "-m", "matcalc", *case.argv]
    # the kernel stops a case a little past its budget (it fails either way)
    cpu = min(CPU_LIMIT, int(case.cpu) + 3)
    return run_process(
        argv,
        env,
        cpu_seconds=cpu,
        stdout=case.stdout,
        stderr=case.stderr,
        encoding=encoding.split(":")[0],
    )


def message_heads(err: str) -> list:
    """The first line of each message on stderr: lines at the margin, after argparse's usage
    block, other than an "expected …" line (a message's second line)."""
    lines = err.splitlines()
    i = 0
    if lines and lines[0].startswith("usage:"):
        i = 1
        while i < len(lines) and lines[i][:1].isspace():
            i += 1
    return [
        ln
        for ln in lines[i:]
        if ln.strip() and not ln[:1].isspace() and not ln.startswith("expected ")
    ]


def caret_problems(err: str, wanted) -> list:
    lines = err.splitlines()
    carets = [i for i, ln in enumerate(lines) if ln.strip() and _CARET.fullmatch(ln)]
    located = _LOCATED.search(err)
    if wanted is True and not carets:
        return ["no caret line under the place"]
    if wanted is True and not located:
        return ["no 'line L, column C' in the message"]
    if wanted is False and carets:
        return ["a caret where there is no place in the query"]
    problems = []
    for i in carets:
        if i == 0 or not lines[i - 1].startswith("  "):
            problems.append("a caret line without the source line above it")
        elif located:
            # the source line is shown escaped (\x1b, \u202e count as one character) and,
            # when long, as a window around the place that starts with "…"
            column = int(located.group(2))
            at = len(lines[i]) - len(lines[i].lstrip(" "))
            before = _ESCAPE.sub("?", lines[i - 1][2:at].ljust(at - 2))
            if before.startswith("…"):
                if at >= len(lines[i - 1]) + 1:
                    problems.append("the caret is past the end of the shown source window")
            elif len(before) != column - 1:
                problems.append(
                    f"the caret is at column {len(before) + 1}, the message says {column}"
                )
    return problems


def run_generated(code: str) -> str | None:
    """Run an emitted module: f and check() at scalar arguments; None if all is well."""
    driver = code + (
        "\nimport inspect as _inspect\n"
        "_k = len(_inspect.signature(f).parameters)\n"
        "_e = check(*[0.3 + 0.1 * _i for _i in range(_k)])\n"
        "assert _e < 1e-4, _e\n"
        "print('generated check error', _e)\n"
    )
    run = run_process(
        [sys.executable, "-"],
        child_env(),
        cpu_seconds=CPU_LIMIT,
        stdin_bytes=driver.encode("utf-8"),
    )
    if run.status != 0:
        tail = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        return f"the generated code fails when run: {tail}"
    return None


def cli_problems(case: corpus.Cli, run: Run) -> list:
    p = []
    if run.timed_out:
        return [f"no answer within {WALL_LIMIT} s (killed after {run.cpu:.1f} s CPU)"]
    if run.status is not None and run.status < 0:
        name = signal.Signals(-run.status).name
        why = " (the CPU limit)" if -run.status in (signal.SIGXCPU, signal.SIGKILL) else ""
        return [f"killed by {name}{why} after {run.cpu:.1f} s CPU"]
    if run.status not in case.exits:
        p.append(f"exit {run.status}, expected {' or '.join(map(str, case.exits))}")
    for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        if "Traceback" in text:
            p.append(f"a traceback on {stream}")
        bad = _CONTROL.search(text)
        if bad:
            p.append(f"a raw control character U+{ord(bad.group()):04X} on {stream}")
    leaked = _PY_EXCEPTION.search(run.stderr)
    if leaked and "Traceback" not in run.stderr:
        p.append(f"a Python exception name in the message: {leaked.group()}")
    if len(run.stderr) > MAX_STDERR:
        p.append(f"a message of {len(run.stderr)} characters")
    if run.cpu > case.cpu:
        p.append(f"{run.cpu:.1f} s of CPU (budget {case.cpu:g} s)")
    if SENTINEL in run.created:
        p.append("the injected command RAN (it created a file)")
    if case.stderr == "pipe":
        heads = message_heads(run.stderr)
        if run.status == 2:
            if len(heads) != 1:
                p.append(f"{len(heads)} messages on stderr, expected one")
            p.extend(caret_problems(run.stderr, case.caret))
        elif run.status == 0 and run.stderr.strip():
            p.append("exit 0 but something on stderr")
        elif run.status == 1 and case.stdout != "pipe" and len(heads) > 1:
            p.append(f"{len(heads)} messages on stderr")
    if case.stdout == "pipe" and run.status in (0, 1) and run.status in case.exits:
        if run.status == 0 and not run.stdout.strip():
            p.append("exit 0 but nothing on stdout")
        if case.out is not None and case.out not in run.stdout:
            p.append(f"stdout lacks {case.out!r}")
        if case.python and run.status == 0:
            try:
                compile(run.stdout, "<emitted>", "exec")
            except (SyntaxError, ValueError) as exc:
                p.append(f"the emitted code does not parse: {type(exc).__name__}: {exc}")
            else:
                if case.run:
                    failure = run_generated(run.stdout)
                    if failure:
                        p.append(failure)
    return p


def gist(text: str) -> str:
    """The line of a message that says what happened: a traceback's last line, argparse's
    "error:" line, else the first line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return "(empty)"
    if any(ln.startswith("Traceback") for ln in lines):
        return "Traceback … " + lines[-1][:200]
    if lines[0].startswith("usage:"):
        lines = [ln for ln in lines if "error:" in ln] or lines
    return lines[0][:200]


_CLI_RESULTS: dict = {}
_API_RESULTS: dict = {}


def _selected(request, cls) -> list:
    ids = set()
    for item in request.session.items:
        spec = getattr(item, "callspec", None)
        case = spec.params.get("case") if spec else None
        if isinstance(case, cls):
            ids.add(case.id)
    return [c for c in corpus.CASES if isinstance(c, cls) and c.id in ids]


@pytest.fixture(scope="session")
def cli_results(request):
    todo = [c for c in _selected(request, corpus.Cli) if c.id not in _CLI_RESULTS]
    with ThreadPoolExecutor(WORKERS) as pool:
        for case, run in zip(todo, pool.map(run_cli, todo)):
            _CLI_RESULTS[case.id] = (run, cli_problems(case, run))
    return _CLI_RESULTS


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_case(case, cli_results):
    if case.id not in cli_results:  # selected after the fixture ran (should not happen)
        run = run_cli(case)
        cli_results[case.id] = (run, cli_problems(case, run))
    run, problems = cli_results[case.id]
    assert not problems, (
        f"[{case.category}] {case.id}: "
        + "; ".join(problems)
        + f" | exit {run.status}, stderr: {gist(run.stderr)}"
    )


# ------------------------------------------------------------------------- API cases
class _OutOfTime(BaseException):
    """Raised by SIGPROF in the API worker: the case used its CPU budget."""


def _api_worker_main():
    """Run in the worker subprocess: argv = [results path, case id, …]; one JSON line per
    case, written as soon as it is known, so a case that kills the worker is identified."""
    import numpy as np

    results_path, ids = sys.argv[1], sys.argv[2:]
    by_id = {c.id: c for c in API_CASES}

    def on_prof(signum, frame):
        raise _OutOfTime()

    signal.signal(signal.SIGPROF, on_prof)
    _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    with open(results_path, "a", encoding="utf-8") as results:
        for case_id in ids:
            case = by_id[case_id]
            record = {"id": case_id}
            start = time.process_time()
            # Python code stops at the timer; C code that ignores it (a huge integer power)
            # is stopped by the kernel: the worker dies and the parent names the case
            soft = int(start) + CPU_LIMIT + 5
            resource.setrlimit(resource.RLIMIT_CPU, (min(soft, hard_cpu), hard_cpu))
            signal.setitimer(signal.ITIMER_PROF, float(CPU_LIMIT))
            try:
                value = eval(case.code, {"matcalc": matcalc, "np": np})  # noqa: S307  the corpus's own code
                text = str(value)
                record.update(outcome="returned", text=text[:300])
            except _OutOfTime:
                record.update(outcome="timeout")
            except BaseException as exc:  # noqa: BLE001 - classifying is the point
                record.update(
                    outcome="raised",
                    type=type(exc).__name__,
                    mro=[k.__name__ for k in type(exc).__mro__],
                    module=type(exc).__module__,
                    message=gist(str(exc)),
                )
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            record["cpu"] = time.process_time() - start
            results.write(json.dumps(record) + "\n")
            results.flush()


def _run_api_cases(cases) -> dict:
    """All `cases` in as few worker processes as possible: a worker that dies is replaced,
    and the case it died on is recorded with the worker's last words."""
    found: dict = {}
    remaining = [c.id for c in cases]
    boot = (
        f"import sys; sys.path.insert(0, {TESTS!r}); import test_hostile; "
        "test_hostile._api_worker_main()"
    )
    while remaining:
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as f:
            path = f.name
        try:
            total = CPU_LIMIT * len(remaining) + 30
            run = run_process(
                [sys.executable, "-c", boot, path, *remaining],
                child_env(),
                cpu_seconds=total,
                wall=total,
            )
            with open(path, encoding="utf-8") as f:
                for line in f:
                    record = json.loads(line)
                    found[record["id"]] = record
        finally:
            os.unlink(path)
        done = [i for i in remaining if i in found]
        remaining = [i for i in remaining if i not in found]
        if remaining:
            dead = remaining.pop(0)
            how = (
                "killed at the wall-clock limit"
                if run.timed_out
                else f"killed by {signal.Signals(-run.status).name}"
                if run.status < 0
                else f"exit {run.status}"
            )
            found[dead] = {
                "id": dead,
                "outcome": "worker died",
                "how": how,
                "message": gist(run.stderr),
                "cpu": run.cpu,
            }
        elif not done and not found:
            break
    return found


@pytest.fixture(scope="session")
def api_results(request):
    todo = [c for c in _selected(request, corpus.Api) if c.id not in _API_RESULTS]
    if todo:
        _API_RESULTS.update(_run_api_cases(todo))
    return _API_RESULTS


def api_problems(case: corpus.Api, r: dict) -> list:
    outcome = r["outcome"]
    if outcome in ("timeout", "worker died"):
        return [f"{outcome}: {r.get('how', '')} {r.get('message', '')}".strip()]
    p = []
    raised_matcalc = outcome == "raised" and "MatcalcError" in r["mro"]
    if case.raises is None:
        if outcome != "returned":
            p.append(f"raised {r['type']}: {r['message']}")
        elif case.out is not None and case.out not in r["text"]:
            p.append(f"returned {r['text'][:120]!r}, lacking {case.out!r}")
    elif case.raises == "MatcalcError or nothing":
        if outcome == "raised" and not raised_matcalc:
            p.append(f"raised {r['type']} (not a MatcalcError): {r['message']}")
    else:
        if outcome == "returned":
            p.append(f"returned {r['text'][:120]!r} instead of raising {case.raises}")
        elif case.raises not in r["mro"]:
            p.append(f"raised {r['type']} (not a {case.raises}): {r['message']}")
    if outcome == "raised" and "Traceback" in r.get("message", ""):
        p.append("a traceback in the message")
    if r["cpu"] > case.cpu:
        p.append(f"{r['cpu']:.1f} s of CPU (budget {case.cpu:g} s)")
    return p


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_api_case(case, api_results):
    if case.id not in api_results:
        api_results.update(_run_api_cases([case]))
    r = api_results[case.id]
    problems = api_problems(case, r)
    assert not problems, f"[{case.category}] {case.id}: " + "; ".join(problems)


# ------------------------------------------------------------------------- the harness itself
def test_subprocesses_import_the_matcalc_under_test():
    run = run_process(
        [sys.executable, "-c", "import matcalc; print(matcalc.__file__)"], child_env()
    )
    assert run.status == 0, run.stderr
    assert os.path.realpath(run.stdout.strip()) == os.path.realpath(matcalc.__file__)


def test_the_harness_sees_a_traceback_a_hang_and_a_limit():
    """The checks can fail: a crash, a CPU hog and a memory hog are each caught."""
    crash = run_process([sys.executable, "-c", "1/0"], child_env())
    assert crash.status == 1 and "Traceback" in crash.stderr
    hog = run_process([sys.executable, "-c", "while True: pass"], child_env(), cpu_seconds=1)
    assert hog.status in (-signal.SIGXCPU, -signal.SIGKILL)
    big = run_process([sys.executable, "-c", "b = bytearray(4 << 30)"], child_env())
    assert big.status == 1 and "MemoryError" in big.stderr
    case = corpus.Cli("probe", "harness", ("x",), exits=(2,), caret=True)
    assert cli_problems(
        case, Run(1, "", "Traceback (most recent call last):\n", 0.1, 0.1, False, [])
    )
    assert cli_problems(
        case, Run(2, "", "syntax error at line 1, column 2: x\n  ab\n  ^\n", 0.1, 0.1, False, [])
    )  # caret in the wrong column
    assert not cli_problems(
        case, Run(2, "", "syntax error at line 1, column 2: x\n  ab\n   ^\n", 0.1, 0.1, False, [])
    )


def test_the_corpus_is_large_and_covers_every_category():
    categories = {c.category for c in corpus.CASES}
    assert {"syntax", "semantics", "blowup", "injection", "cli", "api"} <= categories
    assert len(corpus.CASES) >= 250


# ------------------------------------------------------------------------- a report
def report(out=sys.stdout) -> int:
    """Run the whole corpus and print the failing cases grouped by their first problem.
    From the repository root:
        python -c "import sys; sys.path[:0] = ['.', 'tests']; import test_hostile as t; t.report()"
    """
    groups: dict = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = list(pool.map(run_cli, CLI_CASES))
    for case, run in zip(CLI_CASES, runs):
        problems = cli_problems(case, run)
        if problems:
            leaked = re.search(
                r"(\w+(Error|Exception)):",
                run.stderr.strip().splitlines()[-1] if "Traceback" in run.stderr else "",
            )
            cause = (
                f"traceback: {leaked.group(1)}"
                if leaked
                else re.sub(r"\d+(\.\d+)?", "N", problems[0])
            )
            groups.setdefault(cause, []).append(
                f"{case.category}/{case.id}: {'; '.join(problems)} | exit {run.status}, "
                f"stderr: {gist(run.stderr)}"
            )
    api = _run_api_cases(API_CASES)
    for case in API_CASES:
        problems = api_problems(case, api[case.id])
        if problems:
            cause = re.sub(r"(raised \w+).*", r"\1", re.sub(r"\d+(\.\d+)?", "N", problems[0]))
            groups.setdefault("API: " + cause, []).append(
                f"{case.id}: {'; '.join(problems)}  <- {case.code[:100]}"
            )
    failing = sum(map(len, groups.values()))
    print(f"{failing} of {len(corpus.CASES)} cases fail", file=out)
    for cause, lines in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"\n## {cause} ({len(lines)})", file=out)
        for line in lines:
            print("  " + line, file=out)
    return failing
