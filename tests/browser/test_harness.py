"""The browser checks can fail: a negative control, so a green run means something.

A throw-away notebook (written into the served temp copy, never into notebooks/) prints to
stderr and shows a panel whose slider changes nothing. Voila renders it; the same checks the
course notebooks pass must flag both.
"""

from __future__ import annotations

import nbformat
import pytest

from . import driver

BROKEN = '''\
import sys
import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from clonaedu.panels import FigurePanel


class Frozen(FigurePanel):
    """A panel whose slider changes nothing on the figure."""

    def __init__(self):
        self.slider = widgets.FloatSlider(description="does nothing", min=0, max=1, step=0.1)
        figure = Figure(figsize=(4, 2))
        FigureCanvasAgg(figure)
        figure.add_subplot().plot([0, 1], [0, 1])
        super().__init__(figure, [self.slider])
        self.slider.observe(lambda change: self.render(), "value")
        self.render()


print("something went wrong", file=sys.stderr)
Frozen()
'''


@pytest.mark.slow
def test_the_checks_flag_stderr_and_a_panel_that_does_not_react(voila_server, voila_context, server_root):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BROKEN)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    target = server_root / "selftest" / "broken.ipynb"
    target.parent.mkdir(exist_ok=True)
    nbformat.write(nb, target)

    page = voila_context.new_page()
    try:
        driver.start_voila_load(page, voila_server, "selftest/broken.ipynb")
        driver.finish_voila_load(page)
        panels = driver.wait_for_panels(page, 1)
        assert len(panels) == 1 and driver.panel_controls(panels[0]) == ["slider", "button"]  # the slider, then Reset
        assert "something went wrong" in " ".join(page.locator(driver.STDERR).all_inner_texts())
        with pytest.raises(AssertionError, match="did not change|unchanged"):
            driver.check_panel_reacts(page, panels[0], timeout_s=3)
    finally:
        driver.stop_kernel(page, voila_server)
        page.close()
