"""Shared helpers of the area suites (messages, statuses, templates, campaigns, contacts, groups, bulk jobs,
webhooks, instances, number lookups, invitations, team roles): `common` (ids, preconditions, polling),
`sandbox` (the reference server's controls those suites use), `shapes` (documented field sets)."""
