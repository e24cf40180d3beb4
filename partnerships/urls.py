"""Browser pages of cooperation (included by the root urls under /cooperation/)."""
from .pages import partnerships, resources

app_name = "partnerships"
urlpatterns = [*partnerships.urlpatterns, *resources.urlpatterns]
