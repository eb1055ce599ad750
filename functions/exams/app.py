"""Exams: routes arrive with their issue."""

from __future__ import annotations

from chalice import Chalice

from xuefa_api import Api

app = Chalice(app_name="xuefa-exams")
api = Api(app, "exams")
