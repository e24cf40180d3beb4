"""Browser pages of evaluation (included by the root urls under /evaluation/): feedback and homes,
dashboards, exports and drill-down, annual reports."""
from . import alerts, dashboards, exports, pages, reports

app_name = "evaluation"
urlpatterns = [
    *pages.urlpatterns, *dashboards.urlpatterns, *exports.urlpatterns, *reports.urlpatterns, *alerts.urlpatterns,
]
