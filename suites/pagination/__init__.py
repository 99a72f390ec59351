"""Helpers of the pagination suites (test_pagination_walks, test_pagination_concurrent, test_cursor_binding):
the cursor lists and their guarantees, a walker, the walk properties, the run's data sets, strategies."""
