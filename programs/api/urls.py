"""Routes of the programs API (included by the root urls under /api/v1/)."""
from . import views

routes = [
    ("programs", views.ProgramViewSet, "program"),
    ("courses", views.CourseViewSet, "course"),
    ("program-years", views.ProgramYearViewSet, "program-year"),
    ("teachers", views.TeacherViewSet, "teacher"),
    ("teacher-placements", views.TeacherPlacementViewSet, "teacher-placement"),
]
