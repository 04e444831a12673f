"""Put this folder first on PYTHONPATH to give a Python process (and the notebook kernels it starts,
which inherit PYTHONPATH) a matplotlib that sees no system font at all: only the fonts matplotlib
ships, as on a fresh machine with nothing but Python and pip. With JIXIAO_STALE_FONT_CACHE=1 only
the cache is made to forget the system fonts (the files stay findable), as when a font was
installed after matplotlib wrote its cache."""
import importlib.abc
import importlib.machinery
import os
import sys


def _hide(fm):
    import matplotlib

    own = os.path.realpath(matplotlib.get_data_path())

    def keep(path):
        return os.path.realpath(path).startswith(own)

    if not os.environ.get("JIXIAO_STALE_FONT_CACHE"):
        original = fm.findSystemFonts

        def find_system_fonts(fontpaths=None, fontext="ttf"):
            return [p for p in original(fontpaths, fontext) if keep(p)]

        fm.findSystemFonts = find_system_fonts
    manager = fm.fontManager
    manager.ttflist = [f for f in manager.ttflist if keep(f.fname)]
    manager.afmlist = [f for f in manager.afmlist if keep(f.fname)]
    manager._findfont_cached.cache_clear()


class _HideSystemFonts(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "matplotlib.font_manager":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _hide(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _HideSystemFonts())
