"""One vocabulary for an instance's `status`, whoever writes it.

Nova's API (what a scan stores) says `ACTIVE`, `SHUTOFF`, `SUSPENDED`; its notifications carry the
vm_state (`active`, `stopped`, `suspended`). The listener stores the API's word, and the vm_state
in `OS-EXT-STS:vm_state` as the scanner does, so a filter on `status` finds both writers' documents.
"""

from __future__ import annotations

VM_STATE_TO_STATUS = {
    "active": "ACTIVE", "building": "BUILD", "stopped": "SHUTOFF", "paused": "PAUSED", "suspended": "SUSPENDED",
    "rescued": "RESCUE", "resized": "VERIFY_RESIZE", "soft-delete": "SOFT_DELETED", "soft_deleted": "SOFT_DELETED",
    "deleted": "DELETED", "error": "ERROR", "shelved": "SHELVED", "shelved_offloaded": "SHELVED_OFFLOADED",
}


def api_status(state: str | None) -> str:
    """The Nova API status for a vm_state or a status in either case (`stopped` -> `SHUTOFF`)."""
    text = str(state or "").strip()
    return VM_STATE_TO_STATUS.get(text.lower(), text.upper())


def status_fields(vm_state: str | None) -> dict:
    return {"status": api_status(vm_state), "OS-EXT-STS:vm_state": str(vm_state or "").lower()}
