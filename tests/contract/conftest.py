"""The contract tests' shared fixture: raw SSE bytes over HTTP (``sse_fixture.py``)."""

from sse_fixture import fixture_server  # noqa: F401 (a fixture, registered by import)
