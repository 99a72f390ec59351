"""Reports of a run, written by the runner: the plugin's per-test results (`models.results`) in, a fixed set of
files out (see reports/README.md). Above the pytest plugin: nothing in the harness or the suites imports this."""
