"""The JSON API, /api/v1 (docs/api.md): ``routes`` holds the blueprint, ``openapi`` its document."""

# Every address of the API starts so: its answers, errors and headers are told apart from the pages' by it.
API_PATH_PREFIX = "/api/"
