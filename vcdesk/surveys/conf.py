"""The surveys' settings: a Django setting of the same name wins (tests, deployments that
configure in code), else the environment variable, else the default."""

from django.conf import settings

from vcdesk.env import env_bool, env_int, env_str


def _setting(name: str, read, default):
    value = getattr(settings, name, None)
    return read(name, default) if value is None else value


def link_days() -> int:
    """Days a survey link stays valid (VCDESK_SURVEY_LINK_DAYS, default 30)."""
    return _setting("VCDESK_SURVEY_LINK_DAYS", env_int, 30)


def after_service_confirmed() -> bool:
    """Invite when the customer confirms a service record's resolution."""
    return _setting("VCDESK_SURVEY_AFTER_SERVICE", env_bool, True)


def after_inspection() -> bool:
    """Invite after each completed inspection."""
    return _setting("VCDESK_SURVEY_AFTER_INSPECTION", env_bool, True)


def on_contract_anniversary() -> bool:
    """Invite on each anniversary of a contract's acceptance (each contract year)."""
    return _setting("VCDESK_SURVEY_ON_ANNIVERSARY", env_bool, True)


def on_warranty_end() -> bool:
    """Invite when a contract's warranty ends."""
    return _setting("VCDESK_SURVEY_ON_WARRANTY_END", env_bool, True)


def surveying_department() -> str:
    """执行调查部门 printed on automatic invitations."""
    return _setting("VCDESK_SURVEY_DEPARTMENT", env_str, "客户服务部")


def implementing_department() -> str:
    """实施部门 printed on automatic invitations."""
    return _setting("VCDESK_SERVICE_DEPARTMENT", env_str, "技术服务部")
