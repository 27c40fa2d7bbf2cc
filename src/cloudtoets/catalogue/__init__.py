"""The built-in provider catalogue: real ownership chains of common cloud providers, with sources."""

from cloudtoets.catalogue.providers import CatalogueEntry, catalogue_directory, catalogue_entries

__all__ = ["CatalogueEntry", "catalogue_directory", "catalogue_entries"]
