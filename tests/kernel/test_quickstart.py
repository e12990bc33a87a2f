"""The quickstart notebook runs offline in a real kernel (``claude_nb.demo``, through nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from claude_nb.demo import main

ROOT = Path(__file__).resolve().parents[2]


def test_quickstart_demo_runs_offline_and_shows_chat_system_prompt_streaming_footer(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.chdir(ROOT)
    assert main(["--output", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "offline (emulator)" in printed and "jupyter lab" in printed
    html = (tmp_path / "00_quickstart.html").read_text(encoding="utf-8")
    assert html.count("offline emulator") >= 6  # every footer says so
    assert "sk-ant-" not in html.replace("sk-ant-...", "")

    notebook = nbformat.read(tmp_path / "00_quickstart.ipynb", as_version=4)
    cells = [(cell.source, cell.get("outputs", [])) for cell in notebook.cells]
    outputs = [output for _, cell_outputs in cells for output in cell_outputs]
    assert [o for o in outputs if o["output_type"] == "error"] == []
    markdown = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    assert len([text for text in markdown if "<sub>claude-sonnet-5-5" in text]) >= 6
    assert any("System prompt noted" in text for text in markdown)
    table = next(text for text in markdown if "| # | role | content |" in text)
    assert "| 4 | assistant |" in table  # multi-turn history
    streamed = next(o["text"] for source, outs in cells if "last_renderer" in source for o in outs)
    assert "repaints; first text shown" in streamed

    def outputs_of(start: str) -> list[dict]:
        return next(outs for source, outs in cells if source.startswith(start))

    def shown(output: dict) -> str:
        return str(output.get("data", {}).get("text/markdown", output.get("text", "")))

    dry = "".join(shown(o) for o in outputs_of("%%claude --dry-run"))
    assert "dry run · claude-sonnet-5-5" in dry and "Summarise [3, 1, 4, 1, 5]" in dry
    vision = shown(outputs_of("%%claude\nWhich city in this chart")[-1])
    assert "Image 1: " in vision and "px PNG" in vision and "1 image ≈ " in vision
    tools = shown(outputs_of("%%claude\nUse rainfall")[-1])
    assert "rainfall(city=&quot;Oslo&quot;)" in tools and "> 760" in tools
    assert "2 steps, 1 tool call" in tools
    table, chart = outputs_of("%claude_cost")
    assert "simulated" in shown(table) and "calls" in shown(table)
    assert chart["data"]["image/png"]
