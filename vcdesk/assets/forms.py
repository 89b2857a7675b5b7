from django import forms
from django.utils.translation import gettext_lazy as _

from vcdesk.assets.models import Device, DeviceModel


class DeviceForm(forms.ModelForm):
    note = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=300,
        help_text=_("Kept in the firmware history when the firmware version changes."),
    )

    class Meta:
        model = Device
        fields = [
            "model",
            "serial",
            "site",
            "contract",
            "firmware_version",
            "installed_on",
            "status",
        ]
        widgets = {"installed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = DeviceModel.objects.order_by("vendor", "name")
        self.fields["site"].queryset = self.fields["site"].queryset.select_related("organisation")
        self.fields["contract"].queryset = self.fields["contract"].queryset.select_related(
            "organisation"
        )
        if self.instance.pk is None:
            del self.fields["note"]


class DeviceImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        help_text=_(
            "Columns: organisation, site, model, serial, contract number, installed date "
            "(Chinese headers 客户单位, 站点, 型号, 序列号, 合同编号, 安装日期 also work)."
        ),
    )
