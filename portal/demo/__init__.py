"""Demo data for a first run (`flask seed`): invented people, unions and campaigns. Never imported by the
product's rules."""
