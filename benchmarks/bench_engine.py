"""Registrations per second of the row-wise engine, on one core.

    .venv/bin/python benchmarks/bench_engine.py --sizes 10000,100000,1000000

For each size: generate a register (benchmarks/generate.py, seed 1), build the domain objects
once with ``validate_document`` (not timed), then time only ``Evaluator.evaluate`` over the list
of registrations, keeping the decisions like ``evaluate_registrations`` does. Every run gets a
fresh ``Evaluator`` and ``EvaluationContext`` (their construction is not timed), so memoised
jurisdiction chains and messages start cold as in a real ``cloudtoets check``. The cyclic garbage
collector is switched off during each timed loop (``gc.disable()``), as the CLI does; the
decisions are freed and collected between runs. The process is pinned to one CPU.

The table also gives the rate of ``evaluate_registrations`` (the batch path ``cloudtoets check``
uses, timed the same way) and the warm rate (a second pass of the same evaluator and context, as a
long-running server sees); the target is judged on ``Evaluator.evaluate`` with cold caches.

Finding messages are composed when first read (``Finding.deferred``), so the timed loop does not
build them. After the first run the script reads every message once and reports that time apart
(what a caller that shows them pays on top), and checks on the first 20,000 registrations that
the messages equal those of an evaluator that composes them at once (``eager_messages=True``).

The target was set on a machine where a hand-fused Python function over twelve of these rules
does about 1.8 million registrations/s and a plain list of rule functions about 650,000/s. The
same run times both (``yardsticks.py``, after checking that they find exactly the engine's
findings for those twelve rules) on the same objects. Their rates move with the machine as the
engine's does, so the ratios are comparable across noisy machines, and "engine at the reference
speed" (the engine's rate times 1.8 million over the hand-fused rate here) is what the engine
would do on the machine the target was set on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Registration
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import Evaluator, evaluate_registrations, evaluator_for
from cloudtoets.io.validate import Checked, validate_document
from cloudtoets.policy.loader import load_policy
from cloudtoets.policy.model import Policy
from generate import AS_OF, generate
from yardsticks import RULE_IDS, hand_fused, rule_functions

POLICY = "rijksbreed-cloudbeleid-2026"
TARGET = 500_000  # registrations per second on one core
# where the target was set: the hand-fused yardstick's rate there (registrations per second)
REFERENCE_HAND_FUSED = 1_800_000
REFERENCE_RULE_FUNCTIONS = 650_000
MESSAGE_CHECK = 20_000  # registrations whose messages are compared with eager ones


def pin_to_one_core() -> str:
    """Pin this process to one CPU (Linux); returns a description for the report."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def build(n: int, seed: int, unknown_share: float = 0.0) -> Checked:
    """Domain objects of a generated register; the raw dict is dropped afterwards."""
    document = generate(n, seed, unknown_share)
    checked = validate_document(document, f"generated-{n}")
    del document
    gc.collect()
    return checked


def time_engine(checked: Checked, policy: Policy, as_of: dt.date) -> tuple[float, list[Any]]:
    """Seconds for one pass of Evaluator.evaluate over all registrations, and the decisions."""
    registrations = checked.inventory.registrations
    evaluator = Evaluator(policy, as_of)
    context = EvaluationContext(checked.organisations, checked.providers)
    evaluate = evaluator.evaluate
    gc.disable()
    try:
        start = time.perf_counter()
        decisions = [evaluate(r, context) for r in registrations]
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed, decisions


def time_engine_warm(checked: Checked, policy: Policy, as_of: dt.date) -> float:
    """Seconds for a second pass of the same Evaluator and context (warm caches, as a server)."""
    registrations = checked.inventory.registrations
    evaluator = Evaluator(policy, as_of)
    context = EvaluationContext(checked.organisations, checked.providers)
    evaluate = evaluator.evaluate
    first = [evaluate(r, context) for r in registrations]
    gc.disable()
    try:
        start = time.perf_counter()
        decisions = [evaluate(r, context) for r in registrations]
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    del first, decisions
    gc.collect()
    return elapsed


def time_evaluate_registrations(checked: Checked, policy: Policy, as_of: dt.date) -> float:
    """Seconds for evaluate_registrations (the batch path cloudtoets check uses)."""
    evaluator_for.cache_clear()  # a fresh evaluator, as in a new process
    context = EvaluationContext(checked.organisations, checked.providers)
    gc.disable()
    try:
        start = time.perf_counter()
        decisions = evaluate_registrations(checked.inventory.registrations, context, policy, as_of)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    del decisions
    gc.collect()
    return elapsed


def time_messages(decisions: Sequence[Decision]) -> float:
    """Seconds to read every finding's message once (each distinct finding composes its text)."""
    start = time.perf_counter()
    for d in decisions:
        for f in d.findings:
            f.message  # noqa: B018 - reading it composes it
    return time.perf_counter() - start


def check_messages(
    checked: Checked, decisions: Sequence[Decision], policy: Policy, as_of: dt.date
) -> int:
    """Compare the first registrations' decisions with an eager evaluator's; returns how many."""
    registrations = checked.inventory.registrations[:MESSAGE_CHECK]
    eager = Evaluator(policy, as_of, eager_messages=True)
    context = EvaluationContext(checked.organisations, checked.providers)
    for registration, decision in zip(registrations, decisions, strict=False):
        if eager.evaluate(registration, context) != decision:
            raise SystemExit(f"{registration.id}: lazily composed messages differ from eager ones")
    return len(registrations)


def check_yardsticks(checked: Checked, decisions: Sequence[Decision], policy: Policy) -> None:
    """Stop unless each yardstick finds exactly the engine's findings for its twelve rules."""
    for make in (hand_fused, rule_functions):
        check = make(policy, checked.organisations)
        for registration, decision in zip(checked.inventory.registrations, decisions, strict=True):
            expected = [f.rule for f in decision.findings if f.rule in RULE_IDS]
            if sorted(check(registration)) != sorted(expected):
                raise SystemExit(f"{registration.id}: {make.__name__} differs from the engine")


def time_yardstick(checked: Checked, check: Callable[[Registration], list[str]]) -> float:
    registrations = checked.inventory.registrations
    gc.disable()
    try:
        start = time.perf_counter()
        results = [check(r) for r in registrations]
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    del results
    return elapsed


def paired_ratio(yardstick: Sequence[float], engine: Sequence[float]) -> float:
    """The median over runs of yardstick time / engine time (the engine's rate relative to it)."""
    return statistics.median(y / e for y, e in zip(yardstick, engine, strict=True))


def best(times: Sequence[float]) -> float:
    return min(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="comma-separated register sizes (default 10000,100000,1000000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per size below 1M; best counts (default 3)"
    )
    parser.add_argument(
        "--runs-1m", type=int, default=1, help="runs for sizes of 1M and more (default 1)"
    )
    parser.add_argument(
        "--unknown-share",
        type=float,
        default=0.0,
        help="chance that each fact of a registration is unknown (default 0: all known)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    pinned = pin_to_one_core()
    policy = load_policy(POLICY)
    print(
        f"python {platform.python_version()} on {platform.machine()}, {pinned}; "
        f"policy {policy.id}, as-of {AS_OF.isoformat()}; gc disabled during timed loops; "
        f"unknown share of each fact {args.unknown_share:.0%}",
        file=sys.stderr,
    )

    rows = []
    for n in sizes:
        start = time.perf_counter()
        checked = build(n, args.seed, args.unknown_share)
        # the yardsticks know two truth values: with unknowns they (and the engine, for the
        # ratio of the two engine rates) run on the same register with every fact known
        known = build(n, args.seed) if args.unknown_share else checked
        known_times: list[float] = []
        setup = time.perf_counter() - start
        runs = args.runs if n < 1_000_000 else args.runs_1m
        engine_times: list[float] = []
        verdicts: Counter[str] = Counter()
        messages, checked_messages = 0.0, 0
        fused = hand_fused(policy, known.organisations)
        listed = rule_functions(policy, known.organisations)
        fused_times: list[float] = []
        listed_times: list[float] = []
        for run in range(runs):
            # each engine run right next to the yardsticks: their ratio, not the rates, is what
            # carries over between runs on a machine whose speed drifts
            elapsed, decisions = time_engine(checked, policy, AS_OF)
            engine_times.append(elapsed)
            fused_times.append(time_yardstick(known, fused))
            listed_times.append(time_yardstick(known, listed))
            if known is not checked:
                known_times.append(time_engine(known, policy, AS_OF)[0])
            if run == 0:
                verdicts = Counter(str(d.verdict) for d in decisions)
                messages = time_messages(decisions)
                checked_messages = check_messages(checked, decisions, policy, AS_OF)
                if known is checked:
                    check_yardsticks(checked, decisions, policy)
            del decisions
            gc.collect()
        warm_times = [time_engine_warm(checked, policy, AS_OF) for _ in range(runs)]
        batch_times = [time_evaluate_registrations(checked, policy, AS_OF) for _ in range(runs)]
        engine = n / best(engine_times)
        warm = n / best(warm_times)
        batch = n / best(batch_times)
        fused_ratio = paired_ratio(fused_times, engine_times)
        listed_ratio = paired_ratio(listed_times, engine_times)
        rows.append(
            (n, runs, engine, warm, batch, n / best(fused_times), n / best(listed_times),
             fused_ratio, listed_ratio)
        )  # fmt: skip
        print(
            f"  {n:>9,} registrations: setup {setup:.1f} s (generate + validate), "
            f"engine runs {', '.join(f'{t:.3f}' for t in engine_times)} s, "
            f"warm runs {', '.join(f'{t:.3f}' for t in warm_times)} s, "
            f"evaluate_registrations runs {', '.join(f'{t:.3f}' for t in batch_times)} s, "
            f"hand-fused runs {', '.join(f'{t:.3f}' for t in fused_times)} s, "
            f"rule functions runs {', '.join(f'{t:.3f}' for t in listed_times)} s; "
            f"reading every message afterwards {messages:.3f} s (not in the engine time; "
            f"equal to eager messages on the first {checked_messages:,}); "
            f"verdicts {dict(sorted(verdicts.items()))}",
            file=sys.stderr,
        )
        if known_times:
            print(
                f"  the same register with every fact known: engine runs "
                f"{', '.join(f'{t:.3f}' for t in known_times)} s; with unknowns ÷ all known "
                f"(median of paired runs) {paired_ratio(known_times, engine_times):.3f}",
                file=sys.stderr,
            )
        del checked, known
        gc.collect()

    print()
    print(
        "| registrations | runs | Evaluator.evaluate regs/s | µs/reg | warm regs/s "
        "| evaluate_registrations regs/s | hand-fused 12 rules regs/s | rule functions regs/s "
        "| engine ÷ hand-fused (median of paired runs) | engine ÷ rule functions "
        "| engine at the reference speed "
        "| target 500k/s here | target at the reference speed |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|:---|")
    for n, runs, engine, warm, batch, fused, listed, fused_ratio, listed_ratio in rows:
        scaled = REFERENCE_HAND_FUSED * fused_ratio
        here = "met" if engine >= TARGET else f"not met ({engine / TARGET:.0%})"
        there = "met" if scaled >= TARGET else f"not met ({scaled / TARGET:.0%})"
        print(
            f"| {n:,} | {runs} | {engine:,.0f} | {1e6 / engine:.2f} | {warm:,.0f} | {batch:,.0f} "
            f"| {fused:,.0f} | {listed:,.0f} | {fused_ratio:.3f} | {listed_ratio:.2f} "
            f"| {scaled:,.0f} | {here} | {there} |"
        )
    print(
        f"\nAt the reference speed the target is {TARGET / REFERENCE_HAND_FUSED:.3f} of the "
        f"hand-fused rate and {TARGET / REFERENCE_RULE_FUNCTIONS:.2f} of the rule functions' rate.",
    )


if __name__ == "__main__":
    main()
