"""The pure domain core: catalog, eligibility, schedules. No I/O, no frameworks, no globals."""
