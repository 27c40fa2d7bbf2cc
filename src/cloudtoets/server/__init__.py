"""The app shell: builds the one FastAPI app from the API and web routers, and serves it.

Nothing imports this package back; the shared request plumbing lives in ``cloudtoets.http``.
"""
