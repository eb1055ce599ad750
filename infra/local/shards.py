"""Locally there is no report queue: the item analysis's (#28.1) and a regrade's (#28.2)
shards run in the stack's process. They run on a thread of their own, one message after
another as SQS delivers them, so the city's POST answers 202 at once and the console
follows the run, as it does in AWS. (Run inside the POST, a city's fourteen shards took
longer than the console's 20-second timeout on a busy machine.)"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

Messages = list[dict[str, Any]]
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-shards")
log = logging.getLogger("xuefa.local.shards")


def shards_in_background() -> None:
    from xuefa.bootstrap import services

    for job in (services().item_analysis, services().corrections):
        job.dispatch = _later(job._run_here)


def _later(run: Callable[[Messages], None]) -> Callable[[Messages], None]:
    def dispatch(messages: Messages) -> None:
        for message in messages:  # one at a time: a failed shard does not stop the rest
            _worker.submit(_run_one, run, message)

    return dispatch


def _run_one(run: Callable[[Messages], None], message: dict[str, Any]) -> None:
    try:
        run([message])
    except Exception:  # SQS would deliver it again; locally, say so and go on
        log.exception("a report shard failed: %s", message)
