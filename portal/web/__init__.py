"""The pages: one blueprint per feature, their forms, error pages and the htmx helpers."""
