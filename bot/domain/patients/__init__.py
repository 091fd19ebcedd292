"""Patients: one way to create or register one, exact lookup, LGPD erasure."""
