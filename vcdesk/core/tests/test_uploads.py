"""The first check of every upload (vcdesk.core.uploads): the kind its name says, not empty,
within a size limit whose setting the caller names — the Django setting, else the
environment variable, else the default — and a refusal on the caller's field that says the
limit, in the user's language."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from vcdesk.core.uploads import MB, max_megabytes, upload_check

SETTING = "VCDESK_TEST_UPLOAD_MAX_MB"
KINDS = {"jpg", "pdf", "log"}


@pytest.fixture(autouse=True)
def _no_limit_configured(settings, monkeypatch):
    """Neither the setting nor the environment variable, unless a test sets one; messages
    in English unless a test asks for Chinese."""
    if hasattr(settings, SETTING):
        delattr(settings, SETTING)
    monkeypatch.delenv(SETTING, raising=False)
    with translation.override("en"):
        yield


def upload(name: str = "rack.jpg", size: int = 100, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, b"x" * size, content_type=content_type)


def refusal(file, **options) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        upload_check(file, extensions=KINDS, max_mb_setting=SETTING, **options)
    return refused.value.message_dict


def test_an_accepted_file_comes_back_with_its_name_without_folders_and_its_extension():
    checked = upload_check(
        upload("C:\\photos/机房 RACK.JPG"), extensions=KINDS, max_mb_setting=SETTING
    )

    assert (checked.name, checked.extension) == ("机房 RACK.JPG", "jpg")
    assert checked.file.size == 100


def test_a_very_long_name_keeps_its_last_200_characters_and_so_its_extension():
    checked = upload_check(upload("a" * 300 + ".log"), extensions=KINDS, max_mb_setting=SETTING)

    assert len(checked.name) == 200 and checked.extension == "log"


def test_a_kind_not_accepted_is_refused_on_the_callers_field_listing_the_kinds():
    assert refusal(upload("setup.exe"), field="attachment") == {
        "attachment": ["This kind of file is not accepted; attach one of: jpg, log, pdf."]
    }
    assert refusal(upload("no-extension")) == {
        "file": ["This kind of file is not accepted; attach one of: jpg, log, pdf."]
    }


def test_the_caller_may_say_what_to_attach_instead():
    assert refusal(upload("setup.exe"), refused_kind="Attach a photo.") == {
        "file": ["Attach a photo."]
    }


def test_declared_content_types_are_checked_only_when_given():
    accepted = upload_check(
        upload("scan.pdf", content_type="application/pdf; charset=binary"),
        extensions=KINDS,
        max_mb_setting=SETTING,
        content_types={"application/pdf"},
    )

    assert accepted.extension == "pdf"
    assert "file" in refusal(
        upload("scan.pdf", content_type="text/html"), content_types={"application/pdf"}
    )


def test_the_limit_is_the_setting_and_the_refusal_names_it(settings):
    setattr(settings, SETTING, 1)

    at_the_limit = upload_check(upload(size=MB), extensions=KINDS, max_mb_setting=SETTING)

    assert at_the_limit.file.size == MB
    assert refusal(upload(size=MB + 1)) == {"file": ["The file is larger than 1 MB."]}


def test_without_the_setting_the_environment_variable_then_the_default_is_the_limit(
    monkeypatch,
):
    assert max_megabytes(SETTING, 10) == 10
    monkeypatch.setenv(SETTING, "3")
    assert max_megabytes(SETTING, 10) == 3
    assert refusal(upload(size=3 * MB + 1)) == {"file": ["The file is larger than 3 MB."]}


def test_the_setting_wins_over_the_environment_variable(settings, monkeypatch):
    monkeypatch.setenv(SETTING, "3")
    setattr(settings, SETTING, 5)

    assert max_megabytes(SETTING, 10) == 5


def test_a_limit_that_is_not_a_whole_number_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv(SETTING, "ten")

    with pytest.raises(ImproperlyConfigured, match=SETTING):
        upload_check(upload(), extensions=KINDS, max_mb_setting=SETTING)


def test_an_empty_file_is_refused():
    assert refusal(upload(size=0)) == {"file": ["The file is empty."]}


def test_the_refusals_are_in_chinese_for_a_chinese_user(settings):
    setattr(settings, SETTING, 2)

    with translation.override("zh-hans"):
        too_big = refusal(upload(size=2 * MB + 1))["file"][0]
        wrong_kind = refusal(upload("setup.exe"))["file"][0]

    assert "2" in too_big and "MB" in too_big and "larger" not in too_big
    assert "jpg, log, pdf" in wrong_kind and "not accepted" not in wrong_kind
