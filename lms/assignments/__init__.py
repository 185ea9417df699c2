"""Assessed work: assignments that learners hand in and teachers review (issue 12)."""
