"""mineralcheck: check shipment manifests of critical minerals against export-control rules."""

__version__ = "0.1.0"
