"""Built-in reference data: provider ownership chains (with sources) and organisations."""

from cloudtoets.catalogue.organisations import catalogue_organisations
from cloudtoets.catalogue.providers import CatalogueEntry, catalogue_directory, catalogue_entries

__all__ = ["CatalogueEntry", "catalogue_directory", "catalogue_entries", "catalogue_organisations"]
