"""Data generators and benchmarks. Results and the commands that produced them: docs/benchmarks.md."""
