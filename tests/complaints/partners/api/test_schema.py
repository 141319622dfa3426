"""The OpenAPI document is complete: every operation described, with an example, bearer security and the error
shape; the browsable docs work offline (their assets are served by us, not a CDN)."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_contract_endpoint_is_documented(document):
    documented = {(path, method) for path, method, _ in _operations(document)}
    assert documented >= {
        ("/api/v1/complaints/", "get"),
        ("/api/v1/complaints/", "post"),
        ("/api/v1/complaints/{reference}/", "get"),
        ("/api/v1/complaints/{reference}/events/", "get"),
        ("/api/v1/complaints/{reference}/accept/", "post"),
        ("/api/v1/complaints/{reference}/replies/", "post"),
        ("/api/v1/complaints/{reference}/resolution-proposals/", "post"),
        ("/api/v1/volumes/{iso_week}/", "put"),
    }


def test_every_operation_has_a_description_an_example_and_bearer_security(document):
    scheme = document["components"]["securitySchemes"]["carrierApiKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, operation in _operations(document):
        assert operation.get("description"), (path, method)
        assert operation["security"] == [{"carrierApiKey": []}], (path, method)
        examples = [m.get("examples") for r in operation["responses"].values() for m in r.get("content", {}).values()]
        examples += [m.get("examples") for m in operation.get("requestBody", {}).get("content", {}).values()]
        assert any(examples), (path, method)


def test_writes_document_idempotency_key_and_the_error_shape(document):
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("ErrorDetail")
    for path, method, operation in _operations(document):
        assert "401" in operation["responses"] and "429" in operation["responses"], (path, method)
        if method in ("post", "put"):
            header = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
            assert header and header[0]["required"] and header[0]["in"] == "header", (path, method)
            assert {"400", "409", "413", "422"} <= set(operation["responses"]), (path, method)


def test_docs_page_uses_local_assets(client):
    page = client.get("/api/docs/").content.decode()
    assert "cdn." not in page and "jsdelivr" not in page and "unpkg" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert client.get("/api/redoc/").status_code == 200
