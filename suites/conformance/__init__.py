"""The schema conformance suite's pieces, one job each:

(The spec's operations as data, its surface, security, path ids, list shape and documented statuses, come from
`msgflash_compliance.contract.openapi`; the envelope, cursor-page and error-code checks from `fixtures.checks`.)

- `error_codes`: the one code → HTTP status table, built from the spec's error responses and the catalog
- `plan`: who calls each operation, whether generated requests may reach it on this target, its guarantees
- `known_ids`: real ids of the run's own (prefixed) resources, so generated requests also reach 2xx answers
- `checks`: one answer judged (Schemathesis checks + envelope + code table), failures as `ContractViolation`s
- `probes`: the ignored-auth probes, sent through the harness
- `record`: which statuses each operation answered, written next to the run's reports
- `schema`: the Schemathesis schema and how cases become harness requests
- `per_operation`: what every generated test does first (Allure labels, Hypothesis settings, exclusions)
- `scratch_accounts`, `scratch`: the sandbox's scratch accounts and workspace the console mutations run in
- `seeded`: the seeded identities' subscriptions, read before and after the scratch work
"""
