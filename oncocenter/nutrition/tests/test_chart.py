import xml.etree.ElementTree as ET
from datetime import date

from oncocenter.nutrition.chart import Axis, Marker, Series, line_chart, weight_fois_chart

NS = {"s": "http://www.w3.org/2000/svg"}


def test_weight_fois_chart_is_valid_svg_with_markers():
    svg = weight_fois_chart(
        weights=[(date(2026, 1, 1), 64.0), (date(2026, 2, 1), 60.0), (date(2026, 4, 1), 62.5)],
        fois=[(date(2026, 1, 5), 1), (date(2026, 2, 1), 4), (date(2026, 4, 1), 7)],
        treatments=[Marker(date(2026, 1, 3), "Esophagectomy <Ivor Lewis>")],
    )
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert len(root.findall(".//s:polyline", NS)) == 2
    assert len(root.findall(".//s:circle", NS)) == 6
    markers = root.findall(".//s:g[@class='oc-marker']", NS)
    assert len(markers) == 1
    assert "&lt;Ivor Lewis&gt;" in svg  # escaped
    assert "Weight (kg): 64 on 2026-01-01 to 62.5 on 2026-04-01" in root.find("s:desc", NS).text


def test_fois_is_drawn_as_steps_on_fixed_axis():
    svg = weight_fois_chart(
        weights=[], fois=[(date(2026, 1, 1), 1), (date(2026, 1, 11), 7)], treatments=[]
    )
    root = ET.fromstring(svg)
    pts = root.find(".//s:polyline", NS).get("points").split()
    assert len(pts) == 3  # one extra point for the step
    ys = [float(p.split(",")[1]) for p in pts]
    assert ys[0] == ys[1] and ys[2] < ys[0]


def test_empty_chart_says_so():
    svg = line_chart(
        title="QoL",
        series=[Series("eating", [])],
        left=Axis("score", 0, 100),
        empty_text="Nothing yet",
    )
    assert "Nothing yet" in svg
    ET.fromstring(svg)


def test_single_point_does_not_divide_by_zero():
    svg = line_chart(title="t", series=[Series("w", [(date(2026, 1, 1), 50.0)])], left=Axis("kg"))
    ET.fromstring(svg)
