"""The reference MsgFlash server: a faithful local fake (FastAPI + SQLite) that can switch on named faults.

The tree, from the bottom up (no module imports one above it; nothing here imports the checker):

* plumbing: `config`, `clock`, `db` + `schema/`, `errors`, `envelopes`, `ids`, `keys`, `passwords`, `tokens`,
  `plans`, `contexts` (who acts where), `server_parts` (what a policy may use of the server);
* `requests/`: the request bodies (pydantic models), one module per route area; `bodies.py` validates them;
* `policies/`: the compliant seams, one module per area, gathered in the frozen `policies.Policies` set (a
  typed field per seam); every decision a fault may get wrong goes through one of them;
* stores and views the handlers share (`accounts`, `subscriptions`, `quotas`, `team_store`, `team_views`,
  `billing_views`, `listing`, `jobs`, `lookups`, ...), then `services.Services` (what one running server holds)
  and `auth` (the request pipeline);
* `routes/`: one router per area; `app.create_app(config)` builds the server with the policies that
  `faults.build_policies(config.faults)` returns;
* `faults/`: the fault registry, one module per area holding the faulty variants of that area's policies and
  their `Fault` entries; `faults.all_faults()` lists them.

`server_thread.RunningServer` runs it in a thread; the `serve` and `faults` commands live in the checker's CLI
(`msgflash_compliance/reference_commands.py`).
"""
