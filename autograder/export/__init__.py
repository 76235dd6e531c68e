"""What the platform builds for others: student handouts (and, later, course-platform exports)."""
