"""The union admin's dashboard: figures per node and day, participation against quotas, exports."""
