"""The adjudication view's kernel side, without a browser: clicks as messages, decisions saved."""

from __future__ import annotations

import json
from pathlib import Path

from corpuskit.annotate.classview import class_view
from tests.test_sprint import CARELESS, DOC, DPRK, LONG_NAME, as_pool, synthetic_class


def test_tokens_are_shaded_by_votes_and_sites_ranked() -> None:
    view = class_view(as_pool(synthetic_class()), DOC)
    by_start = {t["start"]: t for t in view.tokens}
    kim = by_start[DOC.text.index("Kim Jong Un", LONG_NAME[1])]
    assert kim["count"] == 30 and kim["label"] == "PERSON"  # the careless one marked "Kim" too
    dprk = by_start[DPRK[0]]
    assert dprk["count"] == 29 and dprk["labels"] == {"GPE": 19, "ORG": 10}
    the = by_start[LONG_NAME[0]]
    assert the["count"] == 15
    assert [s["number"] for s in view.sites][:2] == [1, 2]
    assert view.sites[0]["start"] == LONG_NAME[0] and view.sites[0]["decided_by"] == "undecided"
    assert CARELESS not in json.dumps(view.sites)  # readings, never names


def test_select_accept_and_gold_on_demand(tmp_path: Path) -> None:
    target = tmp_path / "adjudicated.json"
    view = class_view(as_pool(synthetic_class()), DOC, gold=DOC, path=target)
    view.apply({"action": "select", "site": 1})
    assert view.selected == 1
    assert view.apply({"action": "select", "site": 99}).startswith("no site 99")
    assert view.gold == []
    view.apply({"action": "gold", "show": True})
    assert any(g["start"] == LONG_NAME[0] for g in view.gold)
    readings = [r["text"] for r in view.sites[0]["readings"]]
    chosen = readings.index("[the Democratic People's Republic of Korea](GPE)") + 1
    note = view.apply({"action": "accept", "site": 1, "reading": chosen})
    assert note.endswith("saved adjudicated.json")
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["metadata"]["adjudication"]["sites"][0]["decision"] == [list(LONG_NAME)]
    assert view.sites[0]["decided_by"] == "accepted" and view.sites[0]["readings"][chosen - 1]["chosen"]


def test_without_gold_the_gold_is_never_sent() -> None:
    view = class_view(as_pool(synthetic_class()), DOC)
    view.apply({"action": "gold", "show": True})
    assert view.show_gold is False and view.gold == []
