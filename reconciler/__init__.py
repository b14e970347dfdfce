"""trtc-callback-reconciler: config-as-code for Tencent RTC callback configurations."""

__version__ = "0.1.0"
