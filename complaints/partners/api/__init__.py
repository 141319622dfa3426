"""The partner carrier REST API, served at /api/v1/. See docs/api.md for how carriers use it."""
