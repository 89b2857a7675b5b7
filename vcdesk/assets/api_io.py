"""Installed-base import (XLSX/CSV, all rows or none) and XLSX export of the device list."""

from ninja import Router

router = Router(tags=["installed base"])
