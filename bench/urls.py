"""URLconf used while benchmarking: the portal's own URLs plus the API floor views."""
from .floor_views import urlpatterns_with_floor

urlpatterns = urlpatterns_with_floor()
