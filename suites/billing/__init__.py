"""Billing and plan checks' helpers: the console billing routes, the declarative role table and its matrix,
the subscription guard (snapshot at start, undo of wrong successes, compare at the end), sandbox controls,
public billing shapes, and the key / team / group makers of the cap checks."""
