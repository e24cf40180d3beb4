"""Browser pages of evaluation (included by the root urls under /evaluation/)."""
from . import pages

app_name = "evaluation"
urlpatterns = pages.urlpatterns
