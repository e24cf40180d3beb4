from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`make bench`: synthetic data at national scale and the measurements against their floors."""

    name = "bench"
    verbose_name = "Benchmark"
