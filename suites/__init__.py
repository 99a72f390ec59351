"""The compliance suites: the checks run against a target, one `test_<area>.py` module per area, each test
naming its guarantees with `@pytest.mark.guarantee(...)` (see conftest.py for the fixtures they use).

Helpers by concern, one package each:

- `areas/`: what the area suites share (ids, preconditions, polling, sandbox controls, documented shapes)
- `billing/`: the console billing routes, the role table and matrix, the subscription guard, cap-check makers
- `conformance/`: the Schemathesis conformance suite's pieces (callers, exercise plans, probes, scratch data)
- `isolation/`: workspace isolation, every resource kind as data and its verbs derived from the spec
- `key_scoping/`: the key-scoping matrix (every `/api/v1` route x every key situation)
- `pagination/`: cursor lists, the walker and the walk properties
- `routes.py`: the contract's public routes with their kinds, read from the OpenAPI description

The spec itself is loaded once, by `msgflash_compliance.contract.openapi`; the answer-shape rules every suite
applies (error envelope, cursor page, `error.code` and its status) are written once, in `fixtures.checks`.
Suites import the harness and the shared models, never the reference server (import contracts in
pyproject.toml).
"""
