"""The JSON API, /api/v1 (SPEC §10): ``routes`` holds the blueprint, ``openapi`` its document."""
