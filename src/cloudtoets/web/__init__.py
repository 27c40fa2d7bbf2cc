"""The web pages: server-rendered HTML (Jinja2, NL Design System), working without JavaScript."""
