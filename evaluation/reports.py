"""Pages: (being built)."""
urlpatterns: list = []
