"""`python -m infra.local.openapi [FILE]`: write the OpenAPI document of all four services."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from infra.local.apps import APPS, IDENTITY, load_module
from xuefa_api.openapi import document


def build() -> dict[str, object]:
    return document({name: load_module(name).api for name in (*APPS, IDENTITY)})


def main() -> int:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi.json")
    spec = build()
    target.write_text(json.dumps(spec, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(spec['paths'])} paths)")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
