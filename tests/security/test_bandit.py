"""bandit finds no medium or high issue in app/ (configured in pyproject.toml), and every finding accepted with
`# nosec` names its check and gives its reason beside it or on the line above. CI also runs bandit itself."""

import json
import re
import shutil
import subprocess  # nosec B404
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOSEC = re.compile(r"#\s*nosec\b(.*)$")


def test_bandit_reports_no_medium_or_high_finding():
    if shutil.which("bandit") is None:
        pytest.skip("bandit is not installed: pip install -e '.[test]'")
    result = subprocess.run([sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", "app", "-q", "-ll",
                             "-f", "json"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(result.stdout)
    findings = [f"{issue['filename']}:{issue['line_number']} {issue['test_id']} {issue['issue_text']}"
                for issue in report["results"]]
    assert findings == [] and result.returncode == 0, "\n".join(findings) or result.stderr


def test_every_nosec_names_its_check_and_says_why():
    unexplained = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            match = NOSEC.search(line)
            if not match:
                continue
            named = re.match(r"\s*B\d{3}", match.group(1))
            reason_beside = re.sub(r"B\d{3}|[\s,:;()-]", "", match.group(1)) != ""
            reason_above = number > 0 and "#" in lines[number - 1]
            if not named or not (reason_beside or reason_above):
                unexplained.append(f"{path.relative_to(ROOT)}:{number + 1}: {line.strip()}")
    assert unexplained == []
