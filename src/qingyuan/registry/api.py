def register(router):
    """Registry endpoints (institutions, practitioners, licence verification)."""
