"""Check families. Each check is a function `CheckContext -> list[Deficiency]`, independent of the others."""
