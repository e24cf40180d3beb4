"""Routes of the programs API (included by the root urls under /api/v1/)."""

routes: list = []
