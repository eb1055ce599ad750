"""Imports each Chalice app under its own module name (every app file is `app.py`), once
per instance, so that instances never share a `current_request`."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from typing import Any

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
_counter = itertools.count()


APPS = ("credits", "exams", "reports", "roster")
IDENTITY = "identity"  # our own identity service: served where Cognito is not used


def load_app(name: str) -> Any:
    return load_module(name).app


def load_module(name: str) -> Any:
    path = FUNCTIONS / name / "app.py"
    module_name = f"xuefa_app_{name}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # pydantic resolves the app's annotations through it
    spec.loader.exec_module(module)
    return module
