"""Evaluation harness: retrieval and abstention quality on gold question sets."""
