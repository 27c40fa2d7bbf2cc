"""Request plumbing the web pages and the API share: who is asking (auth), the register and
actor as dependencies, request ids and security headers. Below web/ and api/, above services/."""
