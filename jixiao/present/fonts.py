"""Chinese labels in plots: a CJK font first in matplotlib's list, from the system or from pip.

DejaVu Sans, matplotlib's default, has no CJK glyphs, so Chinese labels would be drawn as boxes.
A system font is preferred (it matches the rest of the desktop); a system font installed after
matplotlib built its font cache is found by looking at the font files themselves; when there is
none at all, Noto Sans CJK SC from the `mplfonts` wheel (SIL Open Font License 1.1) is registered
with `font_manager.addfont`, so `pip install jixiao` alone draws Chinese. Only that file is used:
the wheel also carries SimHei, whose licence is not free, and jixiao never registers it.
"""
from __future__ import annotations

import importlib.util
import logging
import warnings
from functools import lru_cache
from pathlib import Path

CANDIDATES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB", "SimHei",
    "Noto Sans CJK JP", "AR PL UMing CN", "Droid Sans Fallback",
)
# File names of CJK fonts a stale font cache may not know yet (lower case).
FILE_HINTS = ("cjk", "wqy", "sourcehansans", "msyh", "pingfang", "hiragino", "droidsansfallback", "simhei",
              "notosanssc", "uming")
PIP_FONT = ("mplfonts", "fonts", "NotoSansCJKsc-Regular.otf")


class NoCJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: Chinese labels will not render."""


def pip_font_file() -> Path | None:
    """Noto Sans CJK SC as installed by pip (the mplfonts wheel), without importing that package."""
    spec = importlib.util.find_spec(PIP_FONT[0])
    for base in (spec.submodule_search_locations or []) if spec else []:
        path = Path(base, *PIP_FONT[1:])
        if path.is_file():
            return path
    return None


def _installed(manager, exclude: Path | None = None) -> str | None:
    names = {f.name for f in manager.ttflist if exclude is None or Path(f.fname) != exclude}
    for name in CANDIDATES:
        if name in names:
            return name
    for name in sorted(names):
        if any(key in name for key in ("CJK", "Hei", "Song", "Kai", "Ming", "WenQuanYi")):
            return name
    return None


def _add_uncached_system_fonts(manager) -> None:
    """Fonts installed after matplotlib's cache was written: add the CJK-looking files it lacks."""
    from matplotlib import font_manager

    known = {Path(f.fname) for f in manager.ttflist}
    for fname in sorted(font_manager.findSystemFonts()):
        path = Path(fname)
        if path not in known and any(h in path.name.lower() for h in FILE_HINTS):
            try:
                manager.addfont(str(path))
            except Exception:  # an unreadable font file is skipped, never fatal
                continue


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The font family to draw Chinese with: a system font, else the pip font, else None."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    pip_file = pip_font_file()
    name = _installed(manager, exclude=pip_file)
    if name is None:
        _add_uncached_system_fonts(manager)
        name = _installed(manager, exclude=pip_file)
    if name is None and pip_file is not None:
        if not any(Path(f.fname) == pip_file for f in manager.ttflist):
            manager.addfont(str(pip_file))
        name = next(f.name for f in manager.ttflist if Path(f.fname) == pip_file)
    return name


def font_file(name: str) -> str:
    """The file matplotlib draws `name` with (for tests and diagnostics)."""
    from matplotlib.font_manager import FontProperties, fontManager

    return fontManager.findfont(FontProperties(family=name), fallback_to_default=False)


def use_cjk_font() -> str | None:
    """Configure matplotlib to draw Chinese; warn (once) when no CJK font can be had at all."""
    import matplotlib

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    name = find_cjk_font()
    if name is None:
        warnings.warn("no CJK font found: Chinese labels in charts will show as boxes. "
                      "`pip install mplfonts` (a dependency of jixiao) provides one", NoCJKFontWarning, stacklevel=2)
        return None
    families = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = [name] + [f for f in families if f != name]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name
