"""Print the mutation score from `mutmut export-cicd-stats` (used by `make mutation`).

The score is killed / (killed + survived + timed out + suspicious): mutants that no test runs
(no tests) count against it too, since a rule no test reaches is a rule no test checks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    stats = json.loads(Path(path).read_text())
    killed = stats.get("killed", 0)
    counted = ("killed", "survived", "timeout", "suspicious", "no_tests")
    total = sum(stats.get(name, 0) for name in counted)
    score = 100 * killed / total if total else 0.0
    details = ", ".join(f"{name} {stats.get(name, 0)}" for name in counted + ("skipped",))
    print(f"Mutation score: {score:.1f}% ({killed} of {total} mutants killed; {details})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "mutants/mutmut-cicd-stats.json"))
