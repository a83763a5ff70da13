"""Lighthouse (npm lighthouse@12.2.3, installed by bin/test into var/lighthouse) against a running Plaza Banten.

Used by tests/proof/test_lighthouse.py and by `bench/lighthouse.sh`, which prints the same score table."""

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LIGHTHOUSE = ROOT / "var/lighthouse/node_modules/.bin/lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BUDGET = 95
NAVSTART_TRIES = 3
# Lighthouse's default 4x CPU slowdown turns a high-end desktop (benchmarkIndex ~1,500) into a mid-tier phone (~375).
# Its docs (docs/throttling.md, "Calibrating the CPU slowdown") advise a lower multiplier on a slower host: this
# machine's shared cores measure 900-1,500 as their load varies, and at 4x its Total Blocking Time swung across the
# budget with the host's speed, not the page's. The multiplier emulates the same phone on any host, never above 4x.
TARGET_BENCHMARK_INDEX = 375
DEFAULT_SLOWDOWN = 4.0
_slowdown: list[float] = []  # calibrated once per process, from the first run's benchmarkIndex


@dataclass
class Report:
    page: str
    scores: dict[str, int]
    failing: list[str]  # "category: audit title" for every audit that lost points in a category below 100

    def below_budget(self) -> list[str]:
        return [category for category in CATEGORIES if self.scores[category] < BUDGET]


def lighthouse_run(page: str, url: str, *, cookie: str = "") -> Report:
    """One Lighthouse run (mobile form factor, the CPU slowdown calibrated to the host by the process's first run)."""
    data = None
    if not _slowdown:
        data = _run(url, cookie, DEFAULT_SLOWDOWN)
        index = data.get("environment", {}).get("benchmarkIndex")
        _slowdown.append(cpu_slowdown(index) if index else DEFAULT_SLOWDOWN)
    if data is None or _slowdown[0] != DEFAULT_SLOWDOWN:  # the calibrating run counts when it ran at the slowdown
        data = _run(url, cookie, _slowdown[0])
    error = data.get("runtimeError")
    if error:
        raise RuntimeError(f"Lighthouse on {page} ({url}): {error.get('code')}: {error.get('message')}")
    scores = {c: round((data["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    failing = []
    for category in CATEGORIES:
        if scores[category] == 100:
            continue
        for ref in data["categories"][category]["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
                failing.append(f"{category}: {audit['title']} ({audit.get('displayValue', '')})")
    return Report(page=page, scores=scores, failing=failing)


def cpu_slowdown(benchmark_index: float) -> float:
    """The CPU slowdown that makes this host the phone Lighthouse's default makes of a high-end desktop."""
    return round(max(1.0, min(DEFAULT_SLOWDOWN, benchmark_index / TARGET_BENCHMARK_INDEX)), 1)


def _run(url: str, cookie: str, slowdown: float) -> dict:
    """Run again when Chrome reports NO_NAVSTART (a known flake of its trace recording, not of the page). Twice in a
    row was seen once on this machine, so up to three tries."""
    for _attempt in range(NAVSTART_TRIES - 1):
        data = _run_once(url, cookie, slowdown)
        if (data.get("runtimeError") or {}).get("code") != "NO_NAVSTART":
            return data
    return _run_once(url, cookie, slowdown)


def _run_once(url: str, cookie: str, slowdown: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="pb-lighthouse-") as folder:
        output = Path(folder) / "report.json"
        command = [str(LIGHTHOUSE), url, "--quiet", "--form-factor=mobile", "--output=json",
                   f"--output-path={output}", f"--only-categories={','.join(CATEGORIES)}",
                   f"--throttling.cpuSlowdownMultiplier={slowdown}",
                   "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking "
                   "--disable-component-update --disable-sync --no-first-run --disable-quic"]
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
        subprocess.run(command, env=env, check=False, capture_output=True, timeout=180)
        if not output.exists():
            return {"runtimeError": {"code": "NO_REPORT", "message": "Lighthouse wrote no report"}}
        return json.loads(output.read_text())


def score_table(reports: list[Report]) -> str:
    width = max(len(r.page) for r in reports)
    lines = [f"CPU slowdown {_slowdown[0] if _slowdown else DEFAULT_SLOWDOWN}x (calibrated to this host)",
             f"{'page'.ljust(width)}  " + "  ".join(c.rjust(14) for c in CATEGORIES)]
    for report in reports:
        lines.append(f"{report.page.ljust(width)}  " + "  ".join(str(report.scores[c]).rjust(14) for c in CATEGORIES))
    for report in reports:
        lines += [f"  {report.page} – {item}" for item in report.failing]
    return "\n".join(lines)
