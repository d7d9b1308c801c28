"""Shipment manifests: the format's models and the reader that turns files into them."""
