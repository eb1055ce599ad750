"""Powertools Logger and Metrics, set up once per process.

Tracer is not imported: it costs ~200 ms of cold start and X-Ray is off by default.
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "xuefa"


@cache
def logger(service: str) -> Logger:
    return Logger(service=service)


@cache
def metrics(service: str) -> Metrics:
    return Metrics(namespace=NAMESPACE, service=service)
