"""The compliance suites: each test names its guarantees with `@pytest.mark.guarantee("AREA-NN", ...)`.

Fixtures come from `fixtures/session_fixtures.py` (profile, settings, owner, admin, collaborator, outsider,
client, team, other_team, team_client, anonymous_client, factory, run_id); assertion helpers from
`fixtures.assertions` (expect_ok, expect_error, expect_status, check). Suites never build clients and never
sleep: the harness throttles, retries gateway failures and records redacted evidence for every request.
Run them with `msgflash-compliance run` (or `pytest suites --target-profile PATH`).
"""
