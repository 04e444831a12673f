"""Chinese labels in plots: find a CJK font on this machine and put it first in matplotlib's list.

DejaVu Sans, matplotlib's default, has no CJK glyphs, so Chinese labels would be drawn as boxes.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

CANDIDATES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB", "Noto Sans CJK JP",
    "AR PL UMing CN", "Droid Sans Fallback",
)


class NoCJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: Chinese labels will not render."""


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The first installed font family that can draw Chinese, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CANDIDATES:
        if name in installed:
            return name
    for f in font_manager.fontManager.ttflist:
        if any(key in f.name for key in ("CJK", "Hei", "Song", "Kai", "Ming", "WenQuanYi")):
            return f.name
    return None


def use_cjk_font() -> str | None:
    """Configure matplotlib to draw Chinese; warn clearly when this machine has no such font."""
    import matplotlib

    name = find_cjk_font()
    if name is None:
        warnings.warn("no CJK font found: Chinese labels in charts will show as boxes. Install one "
                      "(Debian/Ubuntu: apt-get install fonts-noto-cjk or fonts-wqy-microhei; Windows has "
                      "Microsoft YaHei; macOS has PingFang SC)", NoCJKFontWarning, stacklevel=2)
        return None
    families = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = [name] + [f for f in families if f != name]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name
