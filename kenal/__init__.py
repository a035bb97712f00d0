"""Kenal: a CRM that knows its clients, customers and consumers apart."""
