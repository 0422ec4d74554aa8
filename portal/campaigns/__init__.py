"""Walking campaigns (rules §4–5): rules and presets, enrolment, days and steps, partner sync, flags and
appeals, settled totals."""
