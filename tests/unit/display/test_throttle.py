"""The one repaint ``Throttle``: its rule, and that the cell renderer and the chat obey it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from claude_nb._display.render import StreamRenderer
from claude_nb._display.throttle import DEFAULT_REPAINT_INTERVAL, Throttle


def test_the_first_repaint_goes_at_once_then_one_per_interval() -> None:
    throttle = Throttle(0.5, clock=lambda: pytest.fail("due(now) must not read the clock"))
    assert throttle.due(100.0)  # the first, whatever the time
    assert not throttle.due(100.25) and not throttle.due(100.4375)
    assert throttle.due(100.5)  # a full interval after the last one let through
    assert not throttle.due(100.75)  # measured from 100.5, not from 100.0
    assert throttle.due(101.0)
    assert throttle.last == 101.0


def test_force_goes_at_once_and_restarts_the_interval() -> None:
    throttle = Throttle(1.0)
    assert throttle.due(0.0)
    assert throttle.due(0.2, force=True)  # a tool call started: paint now
    assert not throttle.due(1.1)  # the interval restarted at 0.2
    assert throttle.due(1.2)


def test_one_second_of_events_at_the_default_interval_is_about_twenty_repaints() -> None:
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0])
    assert throttle.interval == DEFAULT_REPAINT_INTERVAL == 0.05
    allowed = 0
    for _ in range(1000):  # one event per millisecond for one second
        allowed += throttle.due()
        now[0] += 0.001
    assert 19 <= allowed <= 21


def test_a_rate_converts_to_an_interval_and_bad_values_are_refused() -> None:
    assert Throttle.per_second(20).interval == pytest.approx(0.05)
    assert Throttle.per_second(4).interval == pytest.approx(0.25)
    every = Throttle(0)
    assert all(every.due(0.0) for _ in range(5))  # 0 s: every event repaints
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="interval"):
            Throttle(bad)
    for rate in (0.0, -5.0):
        with pytest.raises(ValueError, match="rate"):
            Throttle.per_second(rate)


class RecordingSurface:
    plain = False

    def __init__(self) -> None:
        self.paints = 0

    def paint(self, message: dict[str, Any], *, streaming: bool, force: bool = False) -> None:
        self.paints += 1

    def show_final(self, markdown: str, plain: str) -> None:
        self.paints += 1


def snapshot(text: str) -> Any:
    return SimpleNamespace(started=True, finished=False, text=text,
                           message={"content": [{"type": "text", "text": text}]})


def test_the_stream_renderer_paints_when_its_throttle_says_so() -> None:
    now = [0.0]
    surface = RecordingSurface()
    renderer = StreamRenderer(surface, repaint_interval=1.0, clock=lambda: now[0])
    assert isinstance(renderer.throttle, Throttle) and renderer.throttle.interval == 1.0
    for step in range(30):  # 3 s of events, one every 0.1 s
        now[0] = step * 0.1
        renderer.on_event(snapshot("x" * step))
    assert surface.paints == 3  # at 0, 1 and 2 s
    renderer.on_event(snapshot("tool"), force=True)
    assert surface.paints == 4
    renderer.finish("final", "final")
    assert surface.paints == renderer.repaints == 5
