"""The shared models every layer reads: what a run is (`run_config.RunConfig`), what it selected
(`selection.Selection`), the per-test results the plugin produces (`results`) and how a guarantee reads in a
report (`guarantee_text`). Beside them in the same bottom layer: `msgflash_compliance.profile` (the target),
`msgflash_compliance.contract` (catalog, settings, plans, paths), `interrupts`, `errors`, `exit_codes`.

Nothing here imports the runner, the reports, the pytest plugin, the suites or the reference server
(import contracts in pyproject.toml, checked by `lint-imports`).
"""
