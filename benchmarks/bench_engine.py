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

For comparison, the same run times a plain hand-written function that checks just three rules
(location, encryption, notification) on the same objects: its rate depends on the machine in the
same way as the engine's, so the ratio of their times (how many times the cost of the three-rule
check the full engine takes) is comparable across noisy machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import Evaluator, evaluate_registrations, evaluator_for
from cloudtoets.io.validate import Checked, validate_document
from cloudtoets.policy.loader import load_policy
from cloudtoets.policy.model import Policy
from generate import AS_OF, generate

POLICY = "rijksbreed-cloudbeleid-2026"
TARGET = 500_000  # registrations per second on one core
MESSAGE_CHECK = 20_000  # registrations whose messages are compared with eager ones


def pin_to_one_core() -> str:
    """Pin this process to one CPU (Linux); returns a description for the report."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def build(n: int, seed: int) -> Checked:
    """Domain objects of a generated register; the raw dict is dropped afterwards."""
    document = generate(n, seed)
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


def three_rules_baseline(
    policy: Policy, organisations: dict[str, Organisation]
) -> Callable[[Registration], tuple[str, ...]]:
    """A hand-written check of location, encryption and notification, as a speed yardstick."""
    parameters = policy.parameters
    allowed = frozenset(parameters.allowed_countries)
    public = frozenset(str(d) for d in parameters.public_deployments)
    internal = "private-internal"

    def check(r: Registration) -> tuple[str, ...]:
        organisations[r.organisation]  # the engine looks the organisation up too
        findings: list[str] = []
        deployment = r.deployment
        if deployment in public:
            if not (
                allowed.issuperset(r.storage_countries)
                and allowed.issuperset(r.processing_countries)
            ):
                findings.append("cb2026.4.location")
            if not r.open_data and not (r.encrypted_at_rest and r.encrypted_in_transit):
                findings.append("cb2026.4.encryption")
        if deployment != internal:
            material = r.material
            if material is None:
                material = r.core_task or r.business_critical or r.large_scale_personal_data
            if material and (r.notification is None or r.notification.submitted_on is None):
                findings.append("cb2026.3.3.notification")
        return tuple(findings)

    return check


def time_baseline(checked: Checked, policy: Policy) -> float:
    check = three_rules_baseline(policy, checked.organisations)
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
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    pinned = pin_to_one_core()
    policy = load_policy(POLICY)
    print(
        f"python {platform.python_version()} on {platform.machine()}, {pinned}; "
        f"policy {policy.id}, as-of {AS_OF.isoformat()}; gc disabled during timed loops",
        file=sys.stderr,
    )

    rows = []
    for n in sizes:
        start = time.perf_counter()
        checked = build(n, args.seed)
        setup = time.perf_counter() - start
        runs = args.runs if n < 1_000_000 else args.runs_1m
        engine_times: list[float] = []
        verdicts: Counter[str] = Counter()
        messages, checked_messages = 0.0, 0
        for run in range(runs):
            elapsed, decisions = time_engine(checked, policy, AS_OF)
            engine_times.append(elapsed)
            if run == 0:
                verdicts = Counter(str(d.verdict) for d in decisions)
                messages = time_messages(decisions)
                checked_messages = check_messages(checked, decisions, policy, AS_OF)
            del decisions
            gc.collect()
        warm_times = [time_engine_warm(checked, policy, AS_OF) for _ in range(runs)]
        batch_times = [time_evaluate_registrations(checked, policy, AS_OF) for _ in range(runs)]
        baseline_times = [time_baseline(checked, policy) for _ in range(runs)]
        engine = n / best(engine_times)
        warm = n / best(warm_times)
        batch = n / best(batch_times)
        baseline = n / best(baseline_times)
        rows.append((n, runs, engine, warm, batch, baseline))
        print(
            f"  {n:>9,} registrations: setup {setup:.1f} s (generate + validate), "
            f"engine runs {', '.join(f'{t:.3f}' for t in engine_times)} s, "
            f"warm runs {', '.join(f'{t:.3f}' for t in warm_times)} s, "
            f"evaluate_registrations runs {', '.join(f'{t:.3f}' for t in batch_times)} s, "
            f"baseline runs {', '.join(f'{t:.3f}' for t in baseline_times)} s; "
            f"reading every message afterwards {messages:.3f} s (not in the engine time; "
            f"equal to eager messages on the first {checked_messages:,}); "
            f"verdicts {dict(sorted(verdicts.items()))}",
            file=sys.stderr,
        )
        del checked
        gc.collect()

    print()
    print(
        "| registrations | runs | Evaluator.evaluate regs/s | µs/reg | warm regs/s "
        "| evaluate_registrations regs/s | 3-rule baseline regs/s "
        "| engine time / baseline time | target 500k/s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|:---|")
    for n, runs, engine, warm, batch, baseline in rows:
        met = "met" if engine >= TARGET else f"not met ({engine / TARGET:.0%})"
        print(
            f"| {n:,} | {runs} | {engine:,.0f} | {1e6 / engine:.2f} | {warm:,.0f} | {batch:,.0f} "
            f"| {baseline:,.0f} "
            f"| {baseline / engine:.1f}× | {met} |"
        )


if __name__ == "__main__":
    main()
