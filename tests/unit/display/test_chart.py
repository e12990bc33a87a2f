"""The cost chart: what it draws, PNG rendering, laziness, and 10,000 calls."""

from __future__ import annotations

import subprocess
import sys

import numpy
import pytest
from matplotlib.figure import Figure

from claude_nb._accounting.ledger import Ledger, UsageRecord
from claude_nb._accounting.pricing import UnpricedModelWarning
from claude_nb._content.images import render_figure
from claude_nb._display.chart import KIND_COLORS, cost_chart_png, cost_figure
from claude_nb._exceptions import ContentError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bar_tops(figure: Figure) -> list[list[float]]:
    """Per kind, the top edge of each drawn rectangle."""
    axes = figure.axes[0]
    return [[float(path.vertices[1][1]) for path in collection.get_paths()]
            for collection in axes.collections]


def test_bars_and_cumulative_line_by_hand() -> None:
    ledger = Ledger([
        # Sonnet 5.5: input 1000*2 = $0.002, output 100*10 = $0.001
        UsageRecord("claude-sonnet-5-5", input_tokens=1000, output_tokens=100, offline=True),
        # write 2000*2.5 = $0.005, read 10000*0.1 = $0.001, input 500*2 = $0.001
        UsageRecord("claude-sonnet-5-5", input_tokens=500, cache_write_5m_tokens=2000,
                    cache_read_tokens=10000, offline=True),
    ])
    figure = cost_figure(ledger)
    tops = bar_tops(figure)
    assert len(tops) == len(KIND_COLORS) == 4
    assert tops[0] == pytest.approx([0.002, 0.001])  # input
    assert tops[1] == pytest.approx([0.003])  # output sits on input; call 2 has none
    assert tops[2] == pytest.approx([0.006])  # cache write on 0.001
    assert tops[3] == pytest.approx([0.007])  # cache read on top
    line = figure.axes[1].lines[0]
    assert list(line.get_xdata()) == [1, 2]
    assert list(line.get_ydata()) == pytest.approx([0.003, 0.010])
    assert figure.axes[0].get_title() == "2 calls, $0.0100 (simulated offline)"
    png = render_figure(figure)
    assert png.startswith(PNG_SIGNATURE)


def test_tokens_unit_and_unpriced_calls() -> None:
    with pytest.warns(UnpricedModelWarning):
        ledger = Ledger([UsageRecord("claude-opus-5", input_tokens=10, output_tokens=5),
                         UsageRecord("mystery-model", input_tokens=7)])
    figure = cost_figure(ledger)
    assert [len(tops) for tops in bar_tops(figure)] == [1, 1, 0, 0]
    assert "1 unpriced not shown" in figure.axes[0].get_title()
    tokens = cost_figure(ledger, unit="tokens", title="Tokens")
    assert bar_tops(tokens)[0] == [10.0, 7.0]
    assert tokens.axes[0].get_title() == "Tokens"
    with pytest.raises(ValueError):
        cost_figure(ledger, unit="euros")  # type: ignore[arg-type]


def test_empty_ledger_and_empty_figure() -> None:
    figure = cost_figure(Ledger())
    assert figure.axes[0].texts[0].get_text() == "No calls yet"
    assert cost_chart_png(Ledger()).startswith(PNG_SIGNATURE)
    with pytest.raises(ContentError, match="empty"):
        render_figure(Figure())


def test_ten_thousand_calls() -> None:
    generator = numpy.random.default_rng(0)
    ledger = Ledger(
        UsageRecord("claude-opus-5", input_tokens=int(count), output_tokens=50, time=0.0)
        for count in generator.integers(1, 5000, 10_000)
    )
    png = cost_chart_png(ledger, dpi=80)  # how fast: bench/ledger.py (goal under 1 s)
    assert png.startswith(PNG_SIGNATURE)


def test_import_is_lazy_and_no_pyplot_state() -> None:
    code = (
        "import sys, claude_nb._display.chart, claude_nb._accounting.ledger\n"
        "import claude_nb._store.store\n"
        "assert 'matplotlib' not in sys.modules and 'numpy' not in sys.modules\n"
        "from claude_nb._display.chart import cost_figure\n"
        "from claude_nb._accounting.ledger import Ledger, UsageRecord\n"
        "cost_figure(Ledger([UsageRecord('claude-opus-5', input_tokens=1)]))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
