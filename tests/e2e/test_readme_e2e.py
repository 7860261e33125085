"""The README's client snippet runs as written (against a live server on another port), and the link it
prints opens the Co-Branded pages, whose redirect the merchant inbox's return page verifies."""

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def snippet() -> str:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) == 1, "the README has one Python snippet; test any new one here"
    return blocks[0]


def test_the_readme_snippet_runs_as_written(live_server):
    code = snippet().replace("127.0.0.1:5000", f"127.0.0.1:{live_server['port']}").replace(
        "port=5000", f"port={live_server['port']}")
    done = subprocess.run([sys.executable, "-"], input=code, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    liability, link = done.stdout.strip().splitlines()[-2:]
    assert "0.00" in liability or "TotalPrepaidLiability" in liability, liability
    assert link.startswith(f"http://127.0.0.1:{live_server['port']}/cobranded-ui/actions/start?"), link

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(link, timeout=10)
        raise AssertionError("the start page should redirect to sign-in")
    except urllib.error.HTTPError as answer:  # the 302, unfollowed
        assert answer.code == 302 and "/sign-in" in answer.headers["Location"], answer.headers
