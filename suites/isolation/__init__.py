"""The workspace isolation suite's pieces (test_workspace_isolation.py): `kinds` (every resource kind with an
id, as data, its verbs derived from the spec), `workspaces` (the three workspaces and one item of each kind in
each, had on first use) and `matrix` (the kind x workspace-pair table shown in each check's description)."""
