"""Insight pages through the Flask test client: overview tables and charts, heat per element."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask import Flask

from engine import clock
from engine.service_layer.core import Engine
from tests.web.designer_service import SERVICE_ID
from tests.web.helpers import Clerk
from tests.web.test_auditor import run_case
from web.insight.charts import dauer


@pytest.fixture(autouse=True)
def _clock(fixed_clock: clock.FixedClock) -> clock.FixedClock:
    return fixed_clock


def test_overview_counts_cases_of_my_authorities_per_week(app: Flask, web_engine: Engine,
                                                         fixed_clock: clock.FixedClock) -> None:
    run_case(web_engine)
    run_case(web_engine, finish=False)
    run_case(web_engine, clerk="clerk2", authority="luetzow-luebstorf")  # not the designer's authority
    designer = Clerk(app, "designer")
    page = designer.get("/insight/")
    assert page.status_code == 200
    weeks = re.search(r'id="tabelle-wochen">.*?</table>', page.text, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r"<td>2026-W46</td><td class=\"zahl\">2</td><td class=\"zahl\">1</td>", weeks)
    assert weeks.count("<tr>") == 13  # 12 weeks and the header
    assert "Amt Neubukow-Salzhaff" in page.text and "Amt Lützow-Lübstorf" not in page.text
    assert re.search(r'id="tabelle-alter">.*?bis 7 Tage.*?<td class="zahl">1</td>', page.text, re.S)
    assert page.text.count("<rect ") >= 24 + 2  # 12 weeks × 2 bars, duration and age bars
    assert 'style="' not in page.text.split("<main")[1]  # CSP: no inline styles outside the designer
    short = designer.get("/insight/?wochen=4&verfahren=" + SERVICE_ID)
    assert short.status_code == 200 and short.text.count("<td>2026-W4") == 4
    assert designer.get("/insight/?wochen=5").status_code == 200  # unknown choice: the default


def test_version_heat_per_element(app: Flask, web_engine: Engine, fixed_clock: clock.FixedClock) -> None:
    run_case(web_engine)
    fixed_clock.advance(timedelta(hours=2))
    run_case(web_engine, finish=False)
    page = Clerk(app, "auditor").get(f"/insight/services/{SERVICE_ID}/versions/1")
    assert page.status_code == 200
    config = json.loads(re.search(r'id="hitze-config">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    assert config["heat"]["angaben_erfassen"]["passed"] == 2
    assert config["heat"]["aushaendigen"] == {"passed": 1, "waiting": 1, "median_seconds": 0.0}
    assert re.search(r'<tr data-element-id="aushaendigen">.*?<td class="zahl">1</td><td class="zahl">1</td>'
                     r'<td class="zahl">1</td>', page.text, re.S)
    assert Clerk(app, "designer").get(f"/insight/services/{SERVICE_ID}/versions/9").status_code == 404


@pytest.mark.parametrize(("seconds", "text"), [(None, "–"), (12.4, "12 s"), (59.6, "1 Min."), (45 * 60, "45 Min."),
                                               (3 * 3600 + 5 * 60, "3 Std. 5 Min."), (86400, "1 Tag"),
                                               (3 * 86400 + 4 * 3600, "3 Tage 4 Std.")])
def test_durations_in_german(seconds: float | None, text: str) -> None:
    assert dauer(seconds) == text
