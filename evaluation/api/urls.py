"""Routes of the evaluation API (included by the root urls under /api/v1/)."""

routes: list = []
