"""A query parameter the API does not know is a 400 naming the known ones (decision 47)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register

API = "/api/v1"


def test_an_unknown_query_parameter_is_refused_with_the_known_ones(
    demo_register: Register,
) -> None:
    with TestClient(create_app(register=demo_register), raise_server_exceptions=False) as client:
        response = client.get(f"{API}/registrations", params={"verdikt": "allowed"})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["unknown"] == ["verdikt"]
        assert "verdict" in body["known"] and "verdict" in body["detail"]
        assert client.get(f"{API}/registrations", params={"verdict": "allowed"}).status_code == 200
        assert client.get(f"{API}/portfolio", params={"zonder": "x"}).status_code == 400
        assert client.get(f"{API}/health", params={"x": "1"}).status_code == 400
