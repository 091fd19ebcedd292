"""Layer 3: messages to patients: channels, outbound checks, statuses, reminders, offers."""
