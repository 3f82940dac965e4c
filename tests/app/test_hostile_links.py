"""Links are written by strangers: what a URL or a share token carries reaches every page as text.

Markdown is alive in every Streamlit message, caption and label (links, images, :directives[]), and
html.escape leaves it so: a link whose parameter is ``![t](http://HOST/x.png)`` made the browser fetch it.
Each page is run with such parameters and every element that renders Markdown is checked: none carries a
live link, image, directive or tag (``app_pages.state.inert``). A token that decodes to nonsense says
« Lien de partage illisible », never a traceback. The browser side (no request leaves the machine) is
tests/e2e/test_hostile_text.py.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.state import inert
from sentiers.matching.presets import effective_criteria, preset_profile
from sentiers.matching.share import profile_to_token

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "![t](http://sentiers-outside.invalid/x.png)"
LINK = "[Mettre à jour votre mot de passe](http://sentiers-outside.invalid/login)"
LIVE = re.compile(r"!\[|\]\(|<img|<a |:[a-z-]+\[|https?://")


def token_of(raw: str) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=240)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def markdown_texts(at: AppTest) -> list[str]:
    """Every text of the run that Streamlit renders as Markdown."""
    kinds = ("markdown", "caption", "warning", "error", "info", "success", "subheader", "title", "header")
    texts = [str(el.value) for kind in kinds for el in getattr(at, kind)]
    texts += [str(b.label) for b in at.button] + [str(el.proto.label) for el in at.get("expandable")]
    return texts


def assert_inert(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    live = [t for t in markdown_texts(at) if "sentiers-outside" in t and LIVE.search(t)]
    assert not live, live


def test_the_helper_neutralises_markdown_and_html():
    for text in (IMAGE, LINK, "<img src=x onerror=alert(1)>", ":red[alerte] :material/home:", "www.x.fr"):
        out = inert(text)
        assert not LIVE.search(out) and "www." not in out, out
    assert inert("Saint-Étienne (42) — l'aire") == "Saint-Étienne (42) — l'aire"  # plain text unchanged
    assert inert("x" * 5000, 100).endswith("…") and len(inert("x" * 5000, 100)) == 100


@pytest.mark.parametrize("value", [IMAGE, LINK])
def test_a_departement_parameter_stays_text(embedded_home, use_home, value):
    use_home(embedded_home)
    at = run("carte", dep=value)
    assert_inert(at)
    assert any("Département inconnu" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ["trouver", "fiche", "comparer"])
def test_a_share_token_whose_name_defi_and_reasons_are_markdown_stays_text(embedded_home, use_home, page):
    use_home(embedded_home)
    profile = preset_profile("service-de-proximite")
    criteria = [c.model_copy(update={"reason": IMAGE}) for c in effective_criteria(profile)]
    hostile = profile.model_copy(update={"name": LINK + IMAGE, "description": IMAGE, "criteria": criteria})
    params = {"p": profile_to_token(hostile), "code": "26113", "codes": "26113,26198"}
    at = run(page, **params)
    assert_inert(at)
    # a défi that is Markdown is refused as the link's word, not rendered
    bad_defi = token_of(json.dumps({"name": "x", "defi": IMAGE}))
    assert_inert(run(page, p=bad_defi, code="26113", codes="26113,26198"))


@pytest.mark.parametrize("page", ["trouver", "fiche", "comparer"])
@pytest.mark.parametrize(
    "raw",
    [
        "[" * 30_000 + "]" * 30_000,  # 60 KB of nesting, under the size bound
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        json.dumps({"name": "x", "defi": [1]}),
        json.dumps({"name": "x", "defi": "service-de-proximite", "criteria": [1, {"indicator": []}]}),
        json.dumps([1, 2, 3]),
    ],
    ids=["deep-list", "deep-object", "defi-list", "criteria-junk", "not-an-object"],
)
def test_an_unreadable_share_token_is_said_so(embedded_home, use_home, page, raw):
    use_home(embedded_home)
    at = run(page, p=token_of(raw), code="26113", codes="26113,26198")
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(w.value for w in at.warning) + " ".join(e.value for e in at.error)
    assert "Lien de partage illisible" in said, said
    assert "Traceback" not in said and "/site-packages/" not in said
