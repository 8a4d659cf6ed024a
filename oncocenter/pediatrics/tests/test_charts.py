import xml.etree.ElementTree as ET

import pytest

from oncocenter.pediatrics.charts import _nice_max, stacked_bar_svg


def test_svg_is_well_formed_and_escaped():
    svg = stacked_bar_svg(
        title="Cases <by> group",
        categories=["2025", "2026"],
        series={"I Leukemias": [3, 4], "III CNS & misc": [1, 0]},
    )
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Cases &lt;by&gt; group" in svg
    assert "III CNS &amp; misc" in svg
    # 3 non-zero segments
    assert svg.count("<rect x=") - 2 == 3  # minus 2 legend swatches


def test_empty_chart_renders():
    ET.fromstring(stacked_bar_svg(title="x", categories=[], series={}))


def test_series_length_checked():
    with pytest.raises(ValueError):
        stacked_bar_svg(title="x", categories=["a"], series={"s": [1, 2]})


@pytest.mark.parametrize(("v", "m"), [(0, 1), (3, 5), (7, 10), (12, 20), (45, 50), (101, 200)])
def test_nice_max(v, m):
    assert _nice_max(v) == m
