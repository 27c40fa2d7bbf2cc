"""Which foreign laws can reach data through a provider's ownership chain."""

from __future__ import annotations

from cloudtoets.catalogue import catalogue_directory
from cloudtoets.domain.foreign_laws import (
    LAWS,
    NO_LAW_IN_EEA,
    exposures,
    jurisdiction_hint,
    jurisdiction_suggestion,
)
from cloudtoets.policy.loader import load_policy

EEA = load_policy().parameters.eea


def chain(provider_id: str) -> list[tuple[str, str]]:
    return [(p.display_name, p.country) for p in catalogue_directory().chain(provider_id)]


def test_a_us_parent_brings_us_laws_even_for_an_eu_subsidiary() -> None:
    found = exposures(chain("microsoft-ireland"), EEA)
    assert [(e.country, e.law.key if e.law else None) for e in found] == [
        ("US", "us-cloud-act"),
        ("US", "us-fisa-702"),
        ("US", "us-eo-12333"),
    ]
    assert all(e.via == ("Microsoft Corporation",) for e in found)
    citations = {e.law.citation for e in found if e.law}
    assert {"18 U.S.C. 2713", "50 U.S.C. 1881a"} <= citations


def test_a_chinese_parent_brings_the_national_intelligence_law() -> None:
    found = exposures(chain("huawei-cloud"), EEA)
    assert {e.law.key for e in found if e.law} == {"cn-national-intelligence-law"}
    assert "art. 7" in found[0].as_record()["citation"]  # type: ignore[operator]


def test_a_british_parent_brings_the_investigatory_powers_act() -> None:
    found = exposures(chain("visma"), EEA)
    assert [(e.country, e.law.key if e.law else None) for e in found] == [
        ("GB", "gb-investigatory-powers-act")
    ]


def test_an_eea_only_chain_has_none() -> None:
    assert exposures(chain("scaleway"), EEA) == []
    assert jurisdiction_suggestion([], {}) == NO_LAW_IN_EEA
    assert "geen wet van buiten de EER" in NO_LAW_IN_EEA


def test_a_country_outside_the_eea_without_a_listed_law_is_not_called_safe() -> None:
    found = exposures([("Alibaba Cloud", "NL"), ("Alibaba Group", "ky")], EEA)
    assert len(found) == 1 and found[0].law is None and found[0].country == "KY"
    record = found[0].as_record()
    assert record["law"] is None and "laat een jurist" in str(record["summary"])
    # the advice to ask a lawyer is a hint beside the field, not part of the stored text
    assert "jurist" not in jurisdiction_suggestion(found, {"KY": "de Kaaimaneilanden"})
    assert "jurist" in jurisdiction_hint(found)
    assert "jurist" not in jurisdiction_hint(exposures(chain("google-cloud-emea"), EEA))


def test_switzerland_counts_when_the_policy_allows_it() -> None:
    eea_and_ch = frozenset({"NL", "DE", "CH"})
    assert exposures([("Proton AG", "CH")], eea_and_ch) == []
    assert [e.country for e in exposures([("Proton AG", "CH")], EEA)] == ["CH"]


def test_the_suggestion_names_countries_entities_and_laws() -> None:
    found = exposures(chain("google-cloud-emea"), EEA)
    text = jurisdiction_suggestion(found, {"US": "de Verenigde Staten"})
    assert text.startswith(
        "De leverancier valt (deels) onder het recht van de Verenigde Staten (via Google LLC, "
        "Alphabet Inc.)."
    )
    # facts only: an instruction would be saved as the description if the editor kept it
    assert "Beschrijf" not in text and "Vul " not in text
    assert text.endswith(".")
    assert "CLOUD Act (18 U.S.C. 2713), FISA sectie 702 (50 U.S.C. 1881a)" in text


def test_every_law_has_a_source_address() -> None:
    for law in LAWS:
        assert law.source.startswith("https://"), law.key
        assert law.summary and law.citation
