"""Papermill's entry point for the warm engine (`jixiao_warm`).

Papermill loads every engine's entry point when it is first imported. Were the entry point the
engine class itself, importing jixiao.run.engines before Papermill would make Papermill look for the
class in a module not yet run to its end. This forwarder imports nothing of Papermill; the engine
is looked up when a notebook is run.
"""
from __future__ import annotations


class WarmEngine:
    @classmethod
    def execute_notebook(cls, *args, **kwargs):
        from .engines import WarmEngine as engine
        return engine.execute_notebook(*args, **kwargs)
