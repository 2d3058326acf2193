"""Property-based fuzzing of the whole API against its own OpenAPI schema (schemathesis): requests
generated from the schema go in-process through the WSGI application with a county inspector's token;
no answer may be a server error, and every documented answer must match the schema (fields, types,
nullability, content type). Bounded (few examples per operation) so that it runs in `make test`."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from qingyuan.wsgi import application

MAX_EXAMPLES = 5
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application

SENT = []  # the number of requests made, for the summary line


@pytest.fixture
def inspector_token(db, personas):
    """The API token of alice, an inspector of 吴中区."""
    return Token.objects.get_or_create(user=personas["alice"])[0].key


@pytest.fixture
def connections_kept_open():
    """Calling the WSGI application sends request_started/finished, whose close_old_connections would
    close the test's open transaction (on PostgreSQL); Django's own test client unhooks it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_match_the_schema_and_never_fail(case, inspector_token, connections_kept_open):
    response = case.call(headers={"Authorization": f"Token {inspector_token}"})
    SENT.append(response.status_code)
    case.validate_response(response, checks=CHECKS)


def test_api_fuzzing_sent_requests():
    """Runs after the fuzzing above (same module, in order): it did send requests, none answered 5xx."""
    if not SENT:
        pytest.skip("the fuzzing tests were not selected")
    print(f"schemathesis: {len(SENT)} requests")
    assert not [code for code in SENT if code >= 500]
