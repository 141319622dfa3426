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


# --- The schema describes what the server does (issue 10, item 10) ---------------------------------------------------


def _request_component(document, operation):
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    return document["components"]["schemas"][content["schema"]["$ref"].rsplit("/", 1)[1]]


def test_write_bodies_declare_that_unknown_fields_are_refused(document):
    # The server answers 400 naming any field a write does not declare: the schema says so
    bodies = 0
    for path, method, operation in _operations(document):
        component = _request_component(document, operation)
        if method in ("post", "put") and component is not None:
            bodies += 1
            assert component["additionalProperties"] is False, (path, method)
    assert bodies == 5  # every write but accept, which takes no body


def test_the_idempotency_key_is_declared_with_its_format(document):
    for path, method, operation in _operations(document):
        if method in ("post", "put"):
            (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
            expected = {"type": "string", "pattern": "^[!-~]{1,255}$", "minLength": 1, "maxLength": 255}
            assert header["schema"] == expected, (path, method)


def test_filters_and_path_values_are_declared_as_the_server_checks_them(document):
    operation = document["paths"]["/api/v1/complaints/"]["get"]
    schemas = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert schemas["overdue"] == {"type": "boolean"}
    for name in ("created_after", "created_before", "updated_since"):
        assert schemas[name]["format"] == "date-time"
    assert schemas["cursor"]["minLength"] == 1
    assert (schemas["page_size"]["minimum"], schemas["page_size"]["maximum"]) == (1, 100)
    assert "enum" in schemas["status"] and "enum" in schemas["category"]
    detail = document["paths"]["/api/v1/complaints/{reference}/"]["get"]
    assert [p["schema"]["pattern"] for p in detail["parameters"] if p["name"] == "reference"] == ["^C[0-9]{10,15}$"]
    volume = document["paths"]["/api/v1/volumes/{iso_week}/"]["put"]
    (week,) = [p for p in volume["parameters"] if p["name"] == "iso_week"]
    assert week["schema"]["pattern"].startswith("^(2[0-9]{3})-W")


def test_amounts_are_declared_as_plain_decimal_strings(document):
    schemas = document["components"]["schemas"]
    for component, field in [
        ("ComplaintCreateRequest", "declared_value"),
        ("ComplaintCreateRequest", "shipping_fee"),
        ("CompensationProposalCreateRequest", "proposed_amount"),
        ("CompensationProposalCreateRequest", "damaged_share"),
    ]:
        schema = schemas[component]["properties"][field]
        assert schema["type"] == "string" and schema["pattern"] == "^[0-9]+(\\.[0-9]+)?$", (component, field)
        assert schema["maxLength"] == 20
