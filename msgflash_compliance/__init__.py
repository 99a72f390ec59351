"""msgflash-compliance: checks a MsgFlash API target, guarantee by guarantee, against its documented contract."""

__version__ = "0.1.0"
