"""msgflash-compliance: checks a MsgFlash API target, guarantee by guarantee, against its documented contract.

Layers, top to bottom (imports only go down; the contracts in pyproject.toml, `lint-imports`, keep it so):

- `cli`, `__main__`: the command line, thin; each subcommand calls the module that owns the work
- `runner`: one run: the target, one `models.RunConfig`, `pytest.main` with the plugin built from it, the reports;
  `soak` (`run --repeat N`: child runs against one target), `embedded` (the reference server in process: with
  `cli`'s `serve`/`faults`, the only importer of `msgflash_reference`)
- `reporting`: the report writers only the runner needs (compliance.json/.md, Allure, JUnit, baseline, compare,
  replay lines, the secret scan)
- the harness and the suites (`fixtures/`, `suites/`, beside this package in a checkout, in `_bundle/` in a wheel)
- the shared models every layer reads: `models` (run config, selection, per-test results, guarantee text),
  `profile`, `contract` (catalog, settings, plans, paths), `interrupts` (the stop switch), `errors`, `exit_codes`
"""

__version__ = "0.1.0"
