"""Browser pages of teaching (included by the root urls under /teaching/)."""
from .pages import imports, programs, teachers

app_name = "programs"
urlpatterns = [*programs.urlpatterns, *teachers.urlpatterns, *imports.urlpatterns]
