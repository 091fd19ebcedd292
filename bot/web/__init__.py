"""Layer 5, what people and Twilio call: Twilio's webhooks, health, the patient's signed
cancel/reschedule pages, and the request's session and clock (`bot.web.db`)."""
