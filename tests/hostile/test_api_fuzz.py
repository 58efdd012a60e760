"""Schemathesis over /api/v1/openapi.json: every documented operation, a bounded number of examples each.

Runs against the Flask app in-process (WSGI), authenticated as a shop or a carrier as the path
asks. Whatever comes in, no answer is a 500 and every error is in the one JSON shape. (Driven
by Hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

EXAMPLES = 10  # per operation: enough to put junk in every field, bounded for `make test`


def error_contract_problem(response) -> str | None:
    """Say how an error answer breaks {"error": {"code", "message", "fields"}}, or None."""
    content_type = {name.lower(): value for name, value in response.headers.items()}.get("content-type", "")
    if "application/json" not in str(content_type):
        return f"a {response.status_code} that is not JSON"
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if set(body) != {"error"} or not isinstance(error, dict):
        return f"not the error shape: {body}"
    if not (isinstance(error.get("code"), str) and isinstance(error.get("message"), str)
            and isinstance(error.get("fields", {}), dict)):
        return f"not the error shape: {body}"
    return None


def test_no_operation_answers_500_or_breaks_the_error_contract(app, shop_headers, carrier_headers, make_shipment):
    make_shipment()  # something to find, so that lookups get past "not found" now and then
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    problems: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        headers = carrier_headers if operation.path.startswith("/api/v1/carrier") else shop_headers

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def probe(case):
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path} {case.query or ''} {str(case.body)[:200]}"
            if response.status_code >= 500:
                problems.append(f"{response.status_code} for {where}: {response.text[:300]}")
            elif response.status_code >= 400 and response.status_code != 405:
                problem = error_contract_problem(response)
                if problem:
                    problems.append(f"{where}: {problem}")

        probe()
    assert operations >= 25
    assert not problems, "\n".join(problems[:20])
