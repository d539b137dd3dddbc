"""Run every benchmark in bench/ (``make bench``) and print their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

here = Path(__file__).parent
failed = []
for script in sorted(here.glob("*.py")):
    if script.name in ("run_all.py",) or script.name.startswith("_"):
        continue
    print(f"\n===== {script.name} =====", flush=True)
    r = subprocess.run([sys.executable, str(script)], cwd=here.parent)
    if r.returncode:
        failed.append(script.name)
if failed:
    print(f"\nFAILED: {', '.join(failed)}")
    sys.exit(1)
