"""Layer 1: Brazilian phone numbers and CPF, pure functions with one copy of each rule."""
