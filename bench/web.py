"""Web benchmark: 20 simulated clerks stepping through cases over HTTP on SQLite (issue: web, "Benchmark").

Each clerk is a thread with its own HTTP session (cookies, CSRF token) against one waitress
server (as ``amtskoffer serve``) in this process, on a fresh SQLite database (WAL, synchronous=FULL, as in the
field). A clerk logs in once, then repeatedly starts a case of the fixture package ``beispiel``
and completes its two user tasks; every step is a GET of the task page followed by the POST that
submits it (validation, engine step, audit, redirect). Both requests are timed. Between a page
and its submit, and between steps, a clerk "thinks" for ``THINK_S`` (±50 %, deterministic).

Reported: ``web_step_p95_ms`` (p95 over all page and submit requests; goal ≤ 150 ms on the
2-core machine), the p50, the p95 of a whole step (page + submit), throughput and errors.
A second, shorter phase without think time (``web_saturation_*``) shows the capacity: how many
steps per second the server completes when every clerk submits as fast as it can, and the
latency then. Measures and reports; asserts nothing.
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.identity import IdentityService
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT, Settings

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
CLERKS = 20
THINK_S = 5.0
SERVER_THREADS = 8
"""Worker threads of the server (as `amtskoffer serve`)."""
"""Pause between a page and its submit, and between steps: reading and typing. Real clerks need
minutes per form; 5 s keeps the load far above what 20 people produce."""
PASSWORD = "bench-passwort-123"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_AUTHORITY = re.compile(r'name="authority" value="([^"]+)"')


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class _Clerk(threading.Thread):
    def __init__(self, base: str, name: str, until: float, warmup_until: float, think_s: float) -> None:
        super().__init__(name=f"bench-{name}", daemon=True)
        import requests

        self.http = requests.Session()
        self.base, self.user, self.until, self.warmup_until = base, name, until, warmup_until
        self.think_s = think_s
        self.rng = random.Random(name)  # deterministic jitter per clerk, so clerks do not march in step
        self.requests: list[float] = []
        self.steps: list[float] = []
        self.errors = 0
        self.cases = 0

    def _timed(self, method: str, path: str, **kwargs: Any) -> tuple[Any, float]:
        t0 = time.perf_counter()
        response = self.http.request(method, self.base + path, allow_redirects=False, timeout=60, **kwargs)
        return response, (time.perf_counter() - t0) * 1000

    def _token(self, html: str) -> str:
        m = _CSRF.search(html)
        return m.group(1) if m else ""

    def run(self) -> None:
        page = self.http.get(self.base + "/login", timeout=60)
        self.http.post(self.base + "/login", data={"username": self.user, "password": PASSWORD,
                                                   "csrf_token": self._token(page.text)}, timeout=60)
        start_page = self.http.get(self.base + "/clerk/", timeout=60).text
        authority = _AUTHORITY.search(start_page)
        if authority is None:
            self.errors += 1
            return
        while time.perf_counter() < self.until:
            try:
                self._one_case(authority.group(1), self._token(start_page))
            except Exception:
                self.errors += 1

    def _one_case(self, authority: str, token: str) -> None:
        started = self.http.post(self.base + "/clerk/cases", data={"service_id": "beispiel", "authority": authority,
                                                                  "csrf_token": token}, allow_redirects=False,
                                 timeout=60)
        location = started.headers.get("Location", "")
        forms = [{"name": "Erika Bench", "geburtsdatum": "12.03.1961", "_action": "submit"},
                 {"abgeholt": "true", "_action": "submit"}]
        for data in forms:
            if "/tasks/" not in location or time.perf_counter() >= self.until:
                return
            page, t_page = self._timed("GET", location)
            self._think()
            submit, t_submit = self._timed("POST", location, data={**data, "csrf_token": self._token(page.text)})
            ok = page.status_code == 200 and submit.status_code == 302
            if not ok:
                self.errors += 1
                return
            if time.perf_counter() > self.warmup_until:
                self.requests += [t_page, t_submit]
                self.steps.append(t_page + t_submit)
            location = submit.headers.get("Location", "")
            self._think()
        self.cases += 1

    def _think(self) -> None:
        if self.think_s > 0:
            time.sleep(self.think_s * self.rng.uniform(0.5, 1.5))


SATURATION_S = 20.0


def run(quick: bool = False, progress: Callable[[str], None] = print, *, seconds: float | None = None,
        clerks: int = CLERKS, think_s: float = THINK_S) -> dict[str, Any]:
    results = _measure(quick, progress, seconds=seconds, clerks=clerks, think_s=think_s)
    saturated = _measure(quick, progress, seconds=5.0 if quick else SATURATION_S, clerks=clerks, think_s=0.0)
    for key in ("web_step_p95_ms", "web_step_p50_ms", "web_steps_per_s", "web_errors"):
        results[key.replace("web_", "web_saturation_", 1)] = saturated[key]
    return results


def _measure(quick: bool, progress: Callable[[str], None], *, seconds: float | None, clerks: int,
             think_s: float) -> dict[str, Any]:
    from waitress.server import create_server

    from web import create_app

    duration = seconds if seconds is not None else (10.0 if quick else 60.0)
    warmup = min(think_s * 2 + 1, duration / 4)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        settings = Settings(root=PROJECT_ROOT, database_url=f"sqlite:///{tmp / 'web.db'}", var_dir=tmp,
                            processes_dir=FIXTURES / "packages", forms_dir=FIXTURES / "forms",
                            secret_key="bench-only")
        engine = Engine(settings)
        engine.migrate()
        engine.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
        engine.catalog.sync_from_disk()
        identity = IdentityService(engine)
        for i in range(clerks):
            identity.add_user(f"bench{i}", PASSWORD, roles=["clerk"], authorities=["neubukow-salzhaff"])
        app = create_app(engine=engine)
        # The same server `amtskoffer serve` uses (waitress, a fixed pool of worker threads).
        server = create_server(app, host="127.0.0.1", port=0, threads=SERVER_THREADS)
        serving = threading.Thread(target=server.run, daemon=True)
        serving.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        progress(f"web: {clerks} clerks for {duration:.0f} s (think time {think_s:g} s) against {base}")
        t0 = time.perf_counter()
        workers = [_Clerk(base, f"bench{i}", t0 + warmup + duration, t0 + warmup, think_s) for i in range(clerks)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - t0 - warmup
        server.close()
        serving.join(5)
        engine.close()
    latencies = [x for w in workers for x in w.requests]
    steps = [x for w in workers for x in w.steps]
    return {
        "web_step_p95_ms": round(_pct(latencies, 0.95), 1),
        "web_step_p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "web_step_pair_p95_ms": round(_pct(steps, 0.95), 1),
        "web_steps_per_s": round(len(steps) / elapsed, 1) if elapsed > 0 else 0.0,
        "web_requests_measured": len(latencies),
        "web_cases_completed": sum(w.cases for w in workers),
        "web_errors": sum(w.errors for w in workers),
        "web_clerks": clerks,
        "web_seconds": duration,
        "web_think_s": think_s,
    }
