"""Route modules, one per area. Each exposes `router: fastapi.APIRouter`; app.py includes them in order."""
