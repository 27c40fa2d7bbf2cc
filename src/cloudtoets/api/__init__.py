"""The REST API under /api/v1: JSON over the same services as the web pages."""
