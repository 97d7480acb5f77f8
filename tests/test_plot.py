"""The funnel chart of `report pipeline --plot` (the PNGs stay in tmp_path, never committed)."""
from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner
from PIL import Image

from sheetcrm import api, plot
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.cli import cli
from sheetcrm.errors import SheetCRMError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000  # a real picture, not an empty canvas
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        assert im.format == "PNG" and im.width >= 600 and im.height >= 400
        colours = im.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours and len(colours) > 20  # bars, text and background, not one flat colour


@pytest.mark.parametrize("position", [None, "P-002"])
def test_funnel_png_for_the_demo_workbook(demo_xlsx, settings, today, tmp_path, position):
    path = demo_xlsx(80)
    png = tmp_path / "funnel.png"
    figures = api.pipeline_report(settings.replace(workbook=path), today, position=position, plot=str(png),
                                  backend=XlsxBackend(path))
    assert_png(png)
    assert list(figures["position_id"]) == ([position] if position else [*figures["position_id"][:-1], "ALL"])


def test_plot_from_the_command_line(demo_xlsx, tmp_path, monkeypatch):
    path = demo_xlsx(40)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["--workbook", str(path), "report", "pipeline", "--plot", "all.png",
                                      "--format", "json", "--today", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert_png(tmp_path / "all.png")


@pytest.mark.parametrize("figures", [
    {"position_id": "P-9", "considered": 4},  # nobody contacted yet: no shares, no turned-down bar
    {"considered": 3, "contacted": 3, "responded": 3, "interested": 3, "hired": 3},  # every stage full
    {"considered": 9, "contacted": 9, "hard_no": 9},  # every no is hard
    {"considered": float("nan"), "contacted": None},  # gaps read as zero
])
def test_funnel_never_fails_on_edge_figures(tmp_path, figures):
    out = plot.funnel_png(figures, tmp_path / "edge.png", "Pipeline funnel: edge")
    assert out.read_bytes().startswith(PNG_SIGNATURE)


def test_missing_matplotlib_says_what_to_install(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(SheetCRMError, match=r"install sheetcrm\[plot\]"):
        plot.funnel_png({"contacted": 1}, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_unwritable_path_is_a_clear_error(tmp_path):
    with pytest.raises(SheetCRMError, match="cannot write the chart to"):
        plot.funnel_png({"contacted": 1}, tmp_path / "no such dir" / "x.png")
