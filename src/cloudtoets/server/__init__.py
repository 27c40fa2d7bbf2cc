"""The ASGI application: one FastAPI app serving the REST API and the web pages."""
