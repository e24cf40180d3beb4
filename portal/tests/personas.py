"""Persona names as the tests say them, and the root-conftest fixture behind each."""

PERSONAS = {
    "alice": "college_admin_a",
    "bob": "college_admin_b",
    "carol": "liaison",
    "mallory": "outsider",
    "dave": "reviewer",
    "erin": "other_reviewer",
    "pat": "platform_admin",
}
