"""Synthetic merchant documents (ID card, bank card, licence, address proof, shop photos) with their ground truth."""
