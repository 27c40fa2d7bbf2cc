"""Inventory formats (YAML, JSON, XLSX, CSV) through one validation path."""
