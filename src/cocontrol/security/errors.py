"""Security errors: each carries a message key and its parameters, rendered in zh or en.

The messages are plain (no traceback, no internals) and say what the user can do. They never
echo a secret back, and a refused login never says whether the account exists.
"""

from __future__ import annotations

from cocontrol import i18n
from cocontrol.errors import CocontrolError

_MESSAGES: dict[str, tuple[str, str]] = {
    # uploads
    "sec.upload_empty": ("The file {name} is empty.", "文件 {name} 为空。"),
    "sec.upload_too_large": (
        "The file {name} is {size} bytes; the limit is {limit} bytes.",
        "文件 {name} 大小为 {size} 字节，超过上限 {limit} 字节。"),
    "sec.upload_type": (
        "The file {name} is not a CSV (UTF-8 or GB18030 text) or an Excel .xlsx workbook "
        "(its content looks like {found}).",
        "文件 {name} 不是 CSV（UTF-8 或 GB18030 文本）或 Excel .xlsx 工作簿（内容识别为 {found}）。"),
    "sec.upload_name_mismatch": (
        "The file {name} is named as {named} but its content is {found}; rename it or export "
        "it again.",
        "文件 {name} 的扩展名为 {named}，但内容为 {found}；请改名或重新导出。"),
    "sec.upload_macro": (
        "The workbook {name} contains macros ({part}); save it as a plain .xlsx without macros.",
        "工作簿 {name} 含有宏（{part}）；请另存为不含宏的 .xlsx。"),
    "sec.upload_encrypted": (
        "The workbook {name} is password-protected; remove the password and upload again.",
        "工作簿 {name} 设有密码保护；请取消密码后重新上传。"),
    "sec.upload_zip": (
        "The workbook {name} is not a valid .xlsx archive ({detail}).",
        "工作簿 {name} 不是有效的 .xlsx 压缩包（技术细节：{detail}）。"),
    "sec.upload_zip_bomb": (
        "The workbook {name} expands to more than {limit} bytes (or compresses more than {ratio} "
        "to 1); it was refused as a possible zip bomb.",
        "工作簿 {name} 解压后超过 {limit} 字节（或压缩比超过 {ratio}:1），疑似压缩炸弹，已拒绝。"),
    "sec.upload_zip_entries": (
        "The workbook {name} has {count} parts; at most {limit} are accepted.",
        "工作簿 {name} 含 {count} 个部件，最多允许 {limit} 个。"),
    "sec.upload_external": (
        "The workbook {name} links to outside data ({part}); break the links (Data > Edit "
        "Links > Break Link) and upload again.",
        "工作簿 {name} 含外部链接或外部数据连接（{part}）；请断开链接（数据 > 编辑链接 > 断开链接）"
        "后重新上传。"),
    "sec.upload_xml": (
        "The workbook {name} has a malformed or unsafe XML part {part}.",
        "工作簿 {name} 的 XML 部件格式错误或不安全（技术细节：{part}）。"),
    "sec.upload_formula": (
        "{name}: {where} holds a formula ({value}); paste values only (Paste Special > Values) "
        "and upload again.",
        "{name}：{where} 含公式（{value}）；请仅粘贴数值（选择性粘贴 > 数值）后重新上传。"),
    "sec.upload_binary": (
        "The file {name} is not text: it contains control characters at byte {offset}.",
        "文件 {name} 不是文本：第 {offset} 字节处含控制字符。"),
    # passwords
    "sec.pw_short": ("The password must have at least {min} characters.",
                     "密码至少需要 {min} 个字符。"),
    "sec.pw_long": ("The password may have at most {max} characters.",
                    "密码最多 {max} 个字符。"),
    "sec.pw_common": ("The password is too common; choose a longer passphrase.",
                      "密码过于常见；请使用更长的口令短语。"),
    "sec.pw_user": ("The password may not contain the user name.", "密码不能包含用户名。"),
    "sec.pw_repetitive": ("The password is too repetitive.", "密码重复字符过多。"),
    "sec.pw_same": ("The new password must differ from the current one.",
                    "新密码不能与当前密码相同。"),
    "sec.pw_rejected": ("The password does not meet the policy: {reasons}",
                        "密码不符合策略：{reasons}"),
    # login
    "sec.login_failed": ("Wrong user name or password.", "用户名或密码错误。"),
    "sec.login_locked": (
        "Too many failed logins; try again in {minutes} minute(s) or ask an administrator.",
        "登录失败次数过多；请 {minutes} 分钟后重试或联系管理员。"),
    "sec.login_throttled": ("Too many login attempts from this address; wait {seconds} s.",
                            "该地址登录尝试过多；请等待 {seconds} 秒。"),
    "sec.csrf": ("The request lacks a valid CSRF token; reload the page and try again.",
                 "请求缺少有效的 CSRF 令牌；请刷新页面后重试。"),
    "sec.roles_invalid": ("Role definitions are invalid: {detail}", "角色定义无效：{detail}"),
}

i18n.register(_MESSAGES)


class SecurityError(CocontrolError):
    """A refused security-relevant request; ``message(lang)`` gives the plain text."""

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(self.msg())

    def message(self, lang: str = "en") -> str:
        return self.msg().tr(lang)

    def msg(self) -> i18n.Msg:
        """The message as a catalogue message (parameters translated too)."""
        return i18n.Msg("sec." + self.code, **self.params)

    def to_dict(self, lang: str = "en") -> dict:
        return {"code": self.code, "message": self.message(lang),
                "message_zh": self.message("zh"), "message_en": self.message("en")}


class UploadRejected(SecurityError):
    """An uploaded file was refused before anything was stored."""


class PasswordRejected(SecurityError):
    """A password does not satisfy the policy; ``reasons`` lists every failed rule."""

    def __init__(self, reasons: list[SecurityError]):
        self.reasons = reasons
        super().__init__("pw_rejected", reasons=" ".join(r.message("en") for r in reasons))

    def msg(self) -> i18n.Msg:
        return i18n.Msg("sec.pw_rejected", reasons=i18n.Seq([r.msg() for r in self.reasons],
                                                            " "))
