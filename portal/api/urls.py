"""Routes of the tenancy API (included by the root urls under /api/v1/)."""
from . import history, resources

routes = [
    ("regions", resources.RegionViewSet, "region"),
    ("sectors", resources.SectorViewSet, "sector"),
    ("schools", resources.SchoolViewSet, "school"),
    ("enterprises", resources.EnterpriseViewSet, "enterprise"),
    ("users", resources.UserViewSet, "user"),
    ("tokens", resources.ApiTokenViewSet, "token"),
    ("history", history.HistoryViewSet, "history"),
]
