"""Self-tests of the suites: every fault of the reference server is caught, and a run's outcomes are right."""
