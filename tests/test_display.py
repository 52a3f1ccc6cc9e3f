"""Display helpers: tables and folded answers."""

import pandas as pd
import pytest

from clonaedu.display import folded, table


def test_folded_table_is_inside_a_closed_details_block():
    shown = folded(table(pd.DataFrame({"a": [1.5]}), {"a": "value"}), "Check your answer: the table")
    md = shown._repr_markdown_()
    assert md.startswith("<details><summary>Check your answer: the table</summary>")
    assert md.rstrip().endswith("</details>")
    assert "| value |" in md and "| 1.5 |" in md
    assert md.index("1.5") > md.index("</summary>")


def test_folded_text_and_empty_summary():
    assert "plain words" in folded("plain words")._repr_markdown_()
    with pytest.raises(ValueError, match="summary"):
        folded("x", " ")


def test_folded_figure_keeps_its_image_and_alt_text_inside_the_fold():
    from clonaedu import plots
    from clonaedu.display import folded

    fig = plots.half_life_figure()
    md = folded(fig, "The figure")._repr_markdown_()
    assert md.startswith("<details><summary>The figure</summary>") and md.rstrip().endswith("</details>")
    assert '<img src="data:image/png;base64,' in md and f'alt="' in md
    assert "[Figure:" not in md  # the image itself, not its text stand-in
