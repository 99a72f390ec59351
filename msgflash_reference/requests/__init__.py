"""The request bodies (pydantic models) of the routes, one module per route area.

Kept out of `routes/` so that faults can substitute a variant of a body (`faults/request_bodies.py`) without
importing the route modules; `json_body(Model)` validates against the model the `request_bodies` policy picks.
Bodies shared by several areas live with their content rules: `message_content.py` (send, schedule, direct
content), `contact_store.py` (contacts).
"""
