"""The OpenAPI description matches what the API answers: real responses of every route, for the cases a client
meets (collapsed or not, translated or not, filtered, errors), validated against the schema the description gives for
that route and status, and every field a response carries is described."""
from __future__ import annotations

from urllib.parse import quote

import jsonschema
import pytest

CASES = [
    ("/api/search", "/api/search?q=" + quote("北约")),
    ("/api/search", "/api/search?q=" + quote("北约") + "&collapse=0"),
    ("/api/search", "/api/search?q=NATO&per_page=3"),
    ("/api/search", "/api/search?q=" + quote("核查议定书") + "&collapse=0&translate=0"),
    ("/api/search", "/api/search?q=" + quote('"human rights" OR -合作') + "&lang=en&version=xinhua"),
    ("/api/search", "/api/search?version=un&page=2"),
    ("/api/search", "/api/search?q=" + quote("北约") + "&page=999"),
    ("/api/search", "/api/search?q=x&per_page=0"),
    ("/api/search", "/api/search?q=" + quote("核查议定书") + "&match=exact"),
    ("/api/search", "/api/search?q=NATO&match=nearly"),
    ("/api/search", "/api/search?q=vaccines&sort=doc"),  # hits with their aligned Chinese
    ("/api/search", "/api/search?q=" + quote("ＮＡＴＯ AND") + "&aligned=0"),  # folded, repaired
    ("/api/search", "/api/search?q=" + quote("北约 AND") + "&repair=0"),
    ("/api/search", "/api/search?q=nat*&collapse=0"),
    ("/api/search", "/api/search?q=developmnet"),  # no hits: suggestions
    ("/api/search", "/api/search?q=" + quote("北约") + "&version=chinanews-3"),
    ("/api/search", "/api/search?q=x&sort=sideways"),
    ("/api/concordance", "/api/concordance?q=" + quote("发展") + "&per_page=5"),
    ("/api/concordance", "/api/concordance?q=NATO&sort=left"),
    ("/api/concordance", "/api/concordance?q=" + quote("北约") + "&sort=sideways"),
    ("/api/paragraphs/{id}", "/api/paragraphs/un-040"),
    ("/api/paragraphs/{id}", "/api/paragraphs/un-040?q=" + quote("北约")),
    ("/api/paragraphs/{id}", "/api/paragraphs/no-such"),
    ("/api/passages/{id}", "/api/passages/2022-new-era-p045"),
    ("/api/passages/{id}", "/api/passages/2022-new-era-p001"),
    ("/api/passages/{id}", "/api/passages/nope"),
    ("/api/compare", "/api/compare?a=un&b=chinanews-3"),
    ("/api/compare", "/api/compare?a=un&b=xinhua"),
    ("/api/compare", "/api/compare?a=un&b=un"),
    ("/api/versions", "/api/versions"),
    ("/api/openapi.json", "/api/openapi.json"),
]


def _json_schema(node, components: dict):
    """OpenAPI 3.0 schema -> JSON Schema: references inlined, `nullable` as a null type, examples dropped."""
    if isinstance(node, list):
        return [_json_schema(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    out = {k: _json_schema(v, components) for k, v in node.items() if k not in ("nullable", "example")}
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def _undescribed(value, schema, path="$") -> list[str]:
    """Fields of `value` that the schema does not name (where it names its properties)."""
    if "anyOf" in schema:
        return [] if value is None else _undescribed(value, schema["anyOf"][0], path)
    if "allOf" in schema:
        merged = {"type": "object", "properties": {}}
        for part in schema["allOf"]:
            merged["properties"].update(part.get("properties", {}))
        schema = merged
    missing = []
    if isinstance(value, dict) and "properties" in schema and "additionalProperties" not in schema:
        for key, v in value.items():
            if key not in schema["properties"]:
                missing.append(f"{path}.{key}")
            else:
                missing += _undescribed(v, schema["properties"][key], f"{path}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value[:5]):
            missing += _undescribed(v, schema["items"], f"{path}[{i}]")
    return missing


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/openapi.json").get_json()


@pytest.mark.parametrize(("route", "url"), CASES)
def test_response_matches_the_description(client, spec, route, url):
    r = client.get(url)
    described = spec["paths"][route]["get"]["responses"]
    assert str(r.status_code) in described, f"{url}: status {r.status_code} is not described for {route}"
    schema = described[str(r.status_code)]["content"]["application/json"]["schema"]
    schema = _json_schema(schema, spec["components"]["schemas"])
    data = r.get_json()
    jsonschema.validate(data, schema)
    assert not _undescribed(data, schema), f"{url}: fields the description does not name"


def test_every_route_is_exercised(spec):
    assert set(spec["paths"]) == {route for route, _ in CASES}
    statuses = {(route, url.split("?")[0]) for route, url in CASES}
    assert len(statuses) >= len(spec["paths"])


def test_a_wrong_type_fails_the_check(client, spec):
    """The check can fail: a hit whose score is a string does not match the description."""
    data = client.get("/api/search?q=" + quote("北约")).get_json()
    data["hits"][0]["score"] = "high"
    schema = _json_schema(spec["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
                          spec["components"]["schemas"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data["hits"][0]["score"] = 1.0
    data["hits"][0]["surprise"] = 1
    assert _undescribed(data, schema) == ["$.hits[0].surprise"]
