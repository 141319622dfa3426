"""The partner carrier REST API (issue 4), served at /api/v1/. See docs/api.md for how carriers use it."""
