"""Check and preview a shop's template out of the request process, under a hard deadline.

The bounded sandbox (app.notify.bounded) already makes a render cheap, but the shop API is
where anyone with a key can send us Jinja: a way around those bounds we did not think of
must cost one killed helper process, never a web worker. So validation and previews run in
a small pool of helper processes (forked from the web process), each with an
address-space limit; a render that outlives DEADLINE_SECONDS gets its process killed and
the shop a refusal. A web process keeps at most POOL_SIZE helpers; when all are busy a
request waits up to the deadline, then is told to retry (503), so parallel template saves
queue up here instead of occupying every web worker.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
import time
from multiprocessing.connection import Connection

from app.notify.segments import GSM7, count_segments
from app.notify.templates import render, sample_context, validate_template

DEADLINE_SECONDS = 2.0
POOL_SIZE = 2
MEMORY_LIMIT_BYTES = 768 * 1024 * 1024
TIMEOUT_PROBLEM = f"The template takes too long to render (more than {DEADLINE_SECONDS:g} s)."
CRASH_PROBLEM = "The template fails to render: it needs too much memory."


class RunnerBusy(RuntimeError):
    """Every helper is rendering someone's template; try again in a moment."""


# --- what a helper process runs ------------------------------------------------------------

def check_template(source: str, kind: str, language: str) -> dict:
    """Validate a template and, when it is fine, preview it with the sample values."""
    problems = validate_template(source, kind)
    if problems:
        return {"problems": problems}
    return {"problems": [], **preview_template(source, kind, language)}


def preview_template(source: str | None, kind: str, language: str) -> dict:
    """Render a template with the sample values and count its segments; report failure, never raise."""
    try:
        text = render(kind, language, sample_context(kind), source)
    except Exception as error:  # noqa: BLE001 - a shop's template is code we did not write
        return {"preview": "", "encoding": GSM7, "segments": 0, "problems": [f"The template fails to render: {error}"]}
    encoding, segments = count_segments(text) if text else (GSM7, 0)
    return {"preview": text, "encoding": encoding, "segments": segments, "problems": []}


def preview_templates(items: list[tuple[str, str, str]]) -> list[dict]:
    """Preview several (source, kind, language) templates in one round trip."""
    return [preview_template(*item) for item in items]


_JOBS = {"check": check_template, "previews": preview_templates}


def _serve(connection: Connection) -> None:
    """Run jobs from the web process until it hangs up."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ImportError, ValueError, OSError):  # not on this platform: the deadline still holds
        pass
    while True:
        try:
            name, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(("ok", _JOBS[name](*args)))
        except MemoryError:
            connection.send(("crash", None))


# --- the web process's side ----------------------------------------------------------------

class _Helper:
    def __init__(self, context) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True, name="bijna-template-helper")
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(1)
        self.connection.close()


class TemplateRunner:
    """A few helper processes that render untrusted templates, one job each at a time."""

    def __init__(self, size: int = POOL_SIZE, deadline: float = DEADLINE_SECONDS) -> None:
        self.deadline = deadline
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Helper] = []
        self._lock = threading.Lock()
        # fork: a helper starts in milliseconds with everything imported (a forkserver or spawn
        # start costs a second of imports, which a burst of saves would wait for). The helper
        # only renders Jinja: it never touches the connections or locks it inherits.
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def run(self, name: str, *args) -> tuple[str, object]:
        """Run a job in a helper: ("ok", result), ("timeout", None) or ("crash", None)."""
        started = time.monotonic()
        if not self._slots.acquire(timeout=self.deadline):
            raise RunnerBusy("every template helper is busy")
        try:
            helper = self._take()
            try:
                helper.connection.send((name, args))
                if helper.connection.poll(max(self.deadline - (time.monotonic() - started), 0.0)):
                    outcome = helper.connection.recv()
                    self._give_back(helper)
                    return outcome
                helper.stop()  # the only sure way to stop a runaway render
                return "timeout", None
            except (EOFError, OSError, BrokenPipeError):  # the helper died (memory limit)
                helper.stop()
                return "crash", None
        finally:
            self._slots.release()

    def _take(self) -> _Helper:
        with self._lock:
            while self._idle:
                helper = self._idle.pop()
                if helper.process.is_alive():
                    return helper
                helper.stop()
        return _Helper(self._context)

    def _give_back(self, helper: _Helper) -> None:
        with self._lock:
            self._idle.append(helper)

    def close(self) -> None:
        """Stop every idle helper."""
        with self._lock:
            for helper in self._idle:
                helper.stop()
            self._idle.clear()


_runner: TemplateRunner | None = None
_runner_lock = threading.Lock()


def runner() -> TemplateRunner:
    """Return this process's runner, created on first use (nothing starts at import time)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = TemplateRunner()
            atexit.register(_runner.close)
        return _runner


def check(source: str, kind: str, language: str) -> dict:
    """Validate and preview an untrusted template under the deadline; problems are listed, never raised."""
    outcome, result = runner().run("check", source, kind, language)
    if outcome == "ok":
        return result
    return {"problems": [TIMEOUT_PROBLEM if outcome == "timeout" else CRASH_PROBLEM]}


def previews(items: list[tuple[str, str, str]]) -> list[dict]:
    """Preview saved templates under the deadline (all at once: one round trip)."""
    if not items:
        return []
    outcome, result = runner().run("previews", items)
    if outcome == "ok":
        return result
    problem = TIMEOUT_PROBLEM if outcome == "timeout" else CRASH_PROBLEM
    return [{"preview": "", "encoding": GSM7, "segments": 0, "problems": [problem]} for _ in items]
