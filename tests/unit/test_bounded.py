"""Bounded work in worker processes: a task past its CPU, memory or time limit is stopped with
LimitExceeded, the pool replaces its worker, and other tasks are not held up."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from cloudtoets.bounded import LimitExceeded, Limits, WorkerPool

# the tasks run in other processes, which import them from this module by name


def pid() -> int:
    return os.getpid()


def burn() -> None:
    while True:
        pass


def hog() -> int:
    chunks = [bytearray(16 * 1024 * 1024) for _ in range(256)]  # 4 GB, past the limit
    return len(chunks)


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def fail() -> None:
    raise ValueError("een fout van de taak zelf")


def deep(levels: int) -> int:
    return 0 if levels == 0 else 1 + deep(levels - 1)


class Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def fail_oddly() -> None:
    raise Unpicklable("komt", "niet over")


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    # the waiting limit well above the CPU limit, also on a busy machine
    pool = WorkerPool(Limits(cpu_seconds=1, memory_bytes=256 * 1024**2, wall_seconds=20.0))
    yield pool
    pool.close()


@pytest.fixture
def impatient() -> Iterator[WorkerPool]:
    pool = WorkerPool(Limits(cpu_seconds=60, memory_bytes=256 * 1024**2, wall_seconds=2.0))
    yield pool
    pool.close()


def test_a_task_gives_its_answer_and_the_worker_stays(pool: WorkerPool) -> None:
    first = pool.run(pid)
    assert first != os.getpid()
    assert pool.run(pid) == first
    assert pool.run(sleep, 0.01) == 0.01


@pytest.mark.parametrize(
    ("task", "args", "limit"),
    [(burn, (), "cpu"), (hog, (), "memory"), (sleep, (30.0,), "time"), (deep, (10**6,), "depth")],
)
def test_a_task_past_a_limit_is_stopped_and_its_worker_replaced(
    pool: WorkerPool,
    impatient: WorkerPool,
    task: object,
    args: tuple[object, ...],
    limit: str,
) -> None:
    if limit == "time":
        pool = impatient
    before = pool.run(pid)
    with pytest.raises(LimitExceeded) as caught:  # "time": the 30 s task did not end by itself
        pool.run(task, *args)  # type: ignore[arg-type]
    assert caught.value.limit == limit
    after = pool.run(pid)
    assert after != before  # a fresh process
    assert pool.run(pid) == after


def test_a_worker_that_stopped_while_idle_is_replaced(pool: WorkerPool) -> None:
    first = pool.run(pid)
    os.kill(first, 9)  # the kernel's out-of-memory killer, say
    time.sleep(0.2)
    assert pool.run(pid) not in (first, os.getpid())


def settings_in_environment() -> list[str]:
    return sorted(name for name in os.environ if name.startswith("CLOUDTOETS_"))


def test_a_worker_gets_no_settings_or_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDTOETS_DATABASE_URL", "postgresql://app:geheim@db/cloudtoets")
    monkeypatch.setenv("CLOUDTOETS_SECRET_KEY", "x" * 40)
    pool = WorkerPool(Limits(cpu_seconds=5, memory_bytes=256 * 1024**2, wall_seconds=30.0))
    try:
        assert pool.run(settings_in_environment) == []
    finally:
        pool.close()


def test_an_exception_of_the_task_comes_back_and_the_worker_stays(pool: WorkerPool) -> None:
    worker = pool.run(pid)
    with pytest.raises(ValueError, match="een fout van de taak zelf"):
        pool.run(fail)
    with pytest.raises(RuntimeError, match="Unpicklable: komt niet over"):
        pool.run(fail_oddly)
    assert pool.run(pid) == worker


def test_a_stuck_task_holds_up_no_other(impatient: WorkerPool) -> None:
    warming = [threading.Thread(target=impatient.run, args=(sleep, 0.3)) for _ in range(2)]
    for thread in warming:
        thread.start()
    for thread in warming:
        thread.join()  # two workers warm
    outcome: list[str] = []

    def stuck() -> None:
        try:
            impatient.run(sleep, 30.0)
        except LimitExceeded as exc:
            outcome.append(exc.limit)

    thread = threading.Thread(target=stuck)
    thread.start()
    time.sleep(0.1)  # the stuck task has one worker
    for _ in range(5):
        assert impatient.run(sleep, 0.0) == 0.0  # on the other
    assert thread.is_alive()  # all five done while the first still waits
    thread.join(30)
    assert outcome == ["time"]
