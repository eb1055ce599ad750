"""Item analysis benchmark (#28.1): the fold of 100,000 synthetic first attempts of 50
questions drawn from a pool of 600, through the job's own path (each shard's papers
spooled as gzip JSON lines, then unspooled into one `Fold`), its time and peak memory.
Figures printed, never asserted.

    .venv/bin/python -m tests.bench.bench_analysis [papers]

The papers are made up as a paper is: 50 of the pool at random, the options in the
pool's order; a learner of ability a gets a question of difficulty b right with
probability 1 / (1 + e^(b - a)) (Rasch), else picks a wrong option (a few leave it
blank). Peak memory is tracemalloc's, in a fold of its own (it slows Python 3-6x), and
the process's maximum resident set (getrusage) after the untraced one.
"""

from __future__ import annotations

import math
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from xuefa.analysis.files import spool, unspool
from xuefa.analysis.statistics import Fold, PoolQuestion, Response

POOL = 600
PER_PAPER = 50


def pool(rng: random.Random) -> tuple[list[PoolQuestion], list[float]]:
    questions, difficulty = [], []
    for n in range(POOL):
        kind = rng.choices(["single", "multiple", "judge"], [6, 2, 2])[0]
        options = ("A", "B") if kind == "judge" else ("A", "B", "C", "D")
        answer = ("A", "C") if kind == "multiple" else (rng.choice(options),)
        questions.append(PoolQuestion(f"q{n:04d}", kind, options, answer, "general"))
        difficulty.append(rng.gauss(-1.0, 1.2))
    return questions, difficulty


def papers(count: int, seed: int = 28) -> Iterator[list[Response]]:
    rng = random.Random(seed)
    questions, difficulty = pool(rng)
    for _ in range(count):
        ability = rng.gauss(0.0, 1.0)
        responses = []
        for index in rng.sample(range(POOL), PER_PAPER):
            question = questions[index]
            right = rng.random() < 1 / (1 + math.exp(difficulty[index] - ability))
            if right:
                chosen = question.answer
            elif rng.random() < 0.05:
                chosen = ()
            else:
                chosen = (rng.choice([o for o in question.options if o not in question.answer]),)
            responses.append(Response(question.question_id, chosen, right, 2))
        yield responses


def fold(body: bytes, traced: bool) -> dict[str, float]:
    """The final step: the part unspooled into one `Fold`, then counted."""
    questions, _ = pool(random.Random(28))
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    folded = Fold(questions)
    for responses in unspool(body):
        folded.add(responses)
    t1 = time.perf_counter()
    result = folded.result()
    t2 = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    return {
        "papers": result.paper.papers,
        "fold_s": t1 - t0,
        "result_s": t2 - t1,
        "arrays_mb": _arrays_bytes(folded) / 2**20,
        "peak_mb": peak / 2**20,
        "kr20": result.paper.kr20 or 0.0,
    }


def _arrays_bytes(fold: Fold) -> int:
    arrays = (fold.cells, fold.marks, fold.starts, fold.earned, fold.possible)
    return sum(a.itemsize * len(a) for a in arrays)


def measure(count: int = 100_000) -> dict[str, float]:
    """The shards' part spooled once; its fold timed (tracemalloc off), then folded again
    traced for the peak (the final step's memory: the part's bytes, the arrays and the
    counters; a shard's spooling streams)."""
    with tempfile.TemporaryDirectory(prefix="xuefa-bench-analysis-") as work:
        part = Path(work) / "part.jsonl.gz"
        t0 = time.perf_counter()
        spool(papers(count), part)
        spooled = time.perf_counter() - t0
        body = part.read_bytes()
    speed = fold(body, traced=False)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    memory = fold(body, traced=True)
    return {
        **speed,
        "spool_s": spooled,
        "part_mb": len(body) / 2**20,
        "max_rss_mb": rss_mb,
        "peak_mb": memory["peak_mb"],
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    figures = measure(count)
    print(
        f"item analysis, {figures['papers']:,.0f} papers of {PER_PAPER} (pool {POOL}):\n"
        f"  spool (the shards' part, made up on the fly): {figures['spool_s']:.1f} s, "
        f"{figures['part_mb']:.1f} MiB gzip\n"
        f"  unspool + fold: {figures['fold_s']:.1f} s; statistics: {figures['result_s']:.1f} s\n"
        f"  the fold's arrays {figures['arrays_mb']:.1f} MiB; peak traced "
        f"{figures['peak_mb']:.1f} MiB; max RSS {figures['max_rss_mb']:.0f} MiB\n"
        f"  KR-20 {figures['kr20']:.3f}"
    )


if __name__ == "__main__":
    main()
