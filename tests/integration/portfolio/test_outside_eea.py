"""The provider list's ``outside_eea`` looks at the whole chain: parents and sub-processors."""

from __future__ import annotations

from cloudtoets.catalogue import catalogue_directory
from cloudtoets.domain.model import Provider
from cloudtoets.policy.loader import load_policy
from cloudtoets.services.providers import provider_view

EEA = load_policy().parameters.eea


def test_outside_eea_counts_parents_and_the_providers_own_sub_processors() -> None:
    hosted = Provider(id="saas-nl", country="NL", subprocessors=["aws-emea"])
    owned = Provider(id="dochter-nl", country="NL", parent="microsoft")
    directory = catalogue_directory([hosted, owned])
    assert "US" in provider_view(directory, hosted, EEA).outside_eea
    assert "US" in provider_view(directory, owned, EEA).outside_eea
    alone = Provider(id="eigen-nl", country="NL")
    assert provider_view(catalogue_directory([alone]), alone, EEA).outside_eea == ()
    # registered in the EEA, run from outside it
    run_from = Provider(id="houder", country="IE", headquarters="CN")
    assert provider_view(catalogue_directory([run_from]), run_from, EEA).outside_eea == ("CN",)
