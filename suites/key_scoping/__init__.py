"""The key-scoping matrix: every `/api/v1` route of the contract × every key situation, and its helpers
(situations, expectations, the interleaved sweep, console key helpers)."""
