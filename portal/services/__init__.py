"""The rules. Typed functions named verb_noun that raise domain errors and flush but never commit.

Views, the CLI, the seed loader and the API call these same functions, so every way in obeys the rules.
"""
