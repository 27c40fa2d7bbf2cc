"""What people see, shared by the web pages, the API and the reports: Dutch texts for codes,
dates and numbers, the Jinja environment with its templates, and the static files (styles,
fonts, vendored scripts). Knows nothing of HTTP; web/ adds the request-bound parts."""
