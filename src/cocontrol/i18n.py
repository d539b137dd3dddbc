"""Chinese and English labels and messages.

``t(key, lang)`` returns the label in the requested language, falling back to English and
then to the key itself. Each stage registers its own labels with :func:`register`.
"""

from __future__ import annotations

_LABELS: dict[str, dict[str, str]] = {
    "en": {},
    "zh": {},
}

_LANG = "en"


def register(labels: dict[str, tuple[str, str]]) -> None:
    """Register labels as ``{key: (english, chinese)}``."""
    for key, (en, zh) in labels.items():
        _LABELS["en"][key] = en
        _LABELS["zh"][key] = zh


def set_language(lang: str) -> None:
    global _LANG
    if lang not in _LABELS:
        raise ValueError(f"language must be one of {sorted(_LABELS)}, got {lang!r}")
    _LANG = lang


def get_language() -> str:
    return _LANG


def t(key: str, lang: str | None = None) -> str:
    lang = lang or _LANG
    return _LABELS.get(lang, {}).get(key) or _LABELS["en"].get(key) or key


register(
    {
        "region": ("Region", "区域"),
        "sector": ("Sector", "部门"),
        "subsector": ("Subsector", "子部门"),
        "fuel": ("Fuel", "燃料"),
        "process": ("Process", "工艺"),
        "species": ("Species", "物种"),
        "year": ("Year", "年份"),
        "value": ("Value", "数值"),
        "unit": ("Unit", "单位"),
        "emissions": ("Emissions", "排放量"),
        "scenario": ("Scenario", "情景"),
        "measure": ("Measure", "措施"),
        "cost": ("Cost", "成本"),
        "total": ("Total", "合计"),
        "problems_found": ("problem(s) found", "个问题"),
        "no_problems": ("No problems found", "未发现问题"),
        "inventory": ("Integrated inventory", "大气污染物与温室气体综合清单"),
        "report": ("Report", "报告"),
        "illustrative": (
            "Illustrative data: not an official inventory",
            "示例数据：非官方清单",
        ),
    }
)
