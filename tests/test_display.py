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
