"""Reports of a run: one stream of per-test results in, a fixed set of files out (see reports/README.md)."""
