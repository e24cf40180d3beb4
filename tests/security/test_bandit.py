"""bandit finds no medium or high severity issue in the code base (findings are fixed or justified in
place with `# nosec BXXX: <reason>`). Runs the same command as CI's security step."""
from __future__ import annotations

import json
import shutil
import subprocess  # nosec B404: runs the bandit command line with fixed arguments
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARGUMENTS = ["-r", "portal", "programs", "partnerships", "evaluation", "demo", "bench",
             "-x", "*/tests/*,*/migrations/*", "-ll", "-f", "json", "-q"]


def bandit_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("bandit")
    executable = str(beside_python) if beside_python.exists() else shutil.which("bandit")
    if executable is None:
        pytest.skip("bandit is not installed (pip install -r requirements.txt installs bandit==1.9.4)")
    return [executable, *ARGUMENTS]


def test_bandit_finds_no_medium_or_high_issue():
    completed = subprocess.run(bandit_command(), cwd=ROOT, capture_output=True, text=True,  # nosec B603
                               timeout=300, check=False)
    report = json.loads(completed.stdout)
    assert report["errors"] == [], report["errors"]
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} ({r['issue_severity']}) {r['issue_text']}"
                for r in report["results"] if r["issue_severity"] in ("MEDIUM", "HIGH")]
    assert findings == []
    assert report["metrics"]["_totals"]["loc"] > 10000  # it did scan the code base
    assert completed.returncode == 0, completed.stderr
