"""Who sees and changes the evaluation models (DESIGN.md section 2); registered in the AppConfig.ready."""


def register_rules() -> None:
    pass
