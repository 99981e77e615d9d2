"""A fork server for the `onboard` CLI: import the program once, then run each invocation in a forked child.

Starting Python and importing the engine costs about a second of CPU per `onboard` call; a
hundred hostile cases would spend minutes on that alone. Here one server process imports
`onboarding.cli.main` (nothing is configured at import: settings, engines and caches are built on
first use), and every request forks a child that is a separate process with its own environment,
working directory, stdout, stderr and exit status, running the real Typer app exactly as
`python -m onboarding.cli.main ARGS` does. An uncaught exception is printed as Python would print
it (a traceback) with exit status 1.

Protocol, one JSON document per line: request {"args": [...], "env": {...}, "cwd": "...",
"timeout": seconds} on stdin; reply {"exit_code": n, "stdout": "...", "stderr": "..."} on stdout.

Run as a script: `python tests/support/cli_forkserver.py`; `ForkServer` is the client side.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path

try:  # the client side imports this module from the tests; it needs only the standard library
    from tests.support.cli_process import CliRun
except ModuleNotFoundError:  # running as the server script
    CliRun = None  # type: ignore[assignment,misc]


def _run_child(args: list[str], env: dict[str, str], cwd: str, timeout: int, out_path: str, err_path: str) -> None:
    """In the forked child: become a fresh `onboard` invocation, then exit with its status."""
    signal.alarm(max(1, timeout))  # a hung command is killed, never waited on forever
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # stdin is the server's request stream: the command gets /dev/null instead, as under `subprocess.run`.
    for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                            (2, err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
        target = os.open(path, flags, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = ["onboard", *args]
    exit_code = 0
    try:
        from onboarding.cli.main import app

        app(args=args, prog_name="onboard")
    except SystemExit as done:
        code = done.code
        exit_code = code if isinstance(code, int) else (0 if code is None else 1)
        if not isinstance(code, (int, type(None))):
            print(code, file=sys.stderr)
    except BaseException:  # what the interpreter would do with an uncaught exception
        traceback.print_exc()
        exit_code = 1
    finally:
        _run_exit_handlers()
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(exit_code)


def _run_exit_handlers() -> None:
    """What interpreter shutdown would run (logging.shutdown, Prefect's handlers) before the hard exit."""
    import atexit

    try:
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()


def _serve_one(request: dict) -> dict:
    # mkdtemp, not TemporaryDirectory: the child runs the exit handlers it inherits, and a TemporaryDirectory's
    # finalizer among them would delete the files it is writing to.
    scratch = Path(tempfile.mkdtemp(prefix="onboard-fork-"))
    out_path, err_path = scratch / "stdout", scratch / "stderr"
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _run_child(request["args"], request["env"], request["cwd"], int(request.get("timeout", 120)),
                           str(out_path), str(err_path))
            finally:
                os._exit(70)
        _, status = os.waitpid(pid, 0)
        return {"exit_code": os.waitstatus_to_exitcode(status), "stdout": _read(out_path), "stderr": _read(err_path)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def serve() -> None:
    import onboarding.cli.main  # noqa: F401  (the whole point: pay for the imports once)

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(_serve_one(json.loads(line))), flush=True)


class ForkServer:
    """Client: one server process; `run` is safe to call from one thread at a time per server."""

    def __init__(self, env: dict[str, str]) -> None:
        self._process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         env=env, text=True, bufsize=1)
        self._lock = threading.Lock()
        ready = self._process.stdout.readline()
        if not ready.strip():
            raise RuntimeError("the CLI fork server did not start")

    def run(self, args: list[str], env: dict[str, str], cwd: Path, timeout: int = 120) -> "CliRun":
        with self._lock:
            request = {"args": list(args), "env": env, "cwd": str(cwd), "timeout": timeout}
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            reply = json.loads(self._process.stdout.readline())
        return CliRun(reply["exit_code"], reply["stdout"], reply["stderr"])

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=30)

    def __enter__(self) -> "ForkServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    # Run as a script, Python put tests/support first on sys.path; nothing there may shadow a real module.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        sys.path.pop(0)
    serve()
