"""Browser pages of this app (one module per area; urls.py joins their urlpatterns)."""
