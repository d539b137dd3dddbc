"""Run every benchmark in bench/ (``make bench``), print their figures and write
``out/bench.json`` (see ``bench/_record.py``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

here = Path(__file__).parent
sys.path.insert(0, str(here))
from _record import OUT, merge  # noqa: E402

shutil.rmtree(OUT, ignore_errors=True)
failed = []
for script in sorted(here.glob("*.py")):
    if script.name in ("run_all.py",) or script.name.startswith("_"):
        continue
    print(f"\n===== {script.name} =====", flush=True)
    r = subprocess.run([sys.executable, str(script)], cwd=here.parent)
    if r.returncode:
        failed.append(script.name)
dest = merge()
print(f"\nfigures written to {dest}")
if failed:
    print(f"\nFAILED: {', '.join(failed)}")
    sys.exit(1)
