"""Who sees and changes the partnerships models (DESIGN.md section 2); registered in the AppConfig.ready."""


def register_rules() -> None:
    pass
