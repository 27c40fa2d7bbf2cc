"""cloudtoets: toets cloudgebruik van de overheid aan het Rijksbreed cloudbeleid 2026."""

__version__ = "0.1.0"
