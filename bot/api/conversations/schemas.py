"""The response models of /api/v1/conversations (conversations and their transcripts)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.api.common import Id, ListEnvelope, PageMeta, Timestamp


class ConversationOut(BaseModel):
    """A conversation as integrators see it (not the flow's private context)."""

    id: Id
    address: str = Field(description="The patient's address as the provider gave it")
    clinic_address: str | None = Field(description="The clinic's number the patient last wrote to")
    client_id: str | None = Field(description="The client recognised in it, if any")
    profile_name: str | None = Field(description="The name on the patient's WhatsApp profile")
    state: str | None = Field(description="The flow step it is at, e.g. ask_time")
    handoff: bool = Field(description="true: a human has the conversation now; the bot is quiet")
    handoff_at: Timestamp | None = Field(description="When a human took it over")
    opted_out_at: Timestamp | None = Field(
        description="When the patient refused proactive messages"
    )
    last_inbound_at: Timestamp | None = Field(
        description="The patient's last message (WhatsApp's 24-hour window starts there)"
    )
    message_count: int = Field(description="Messages in its transcript, both directions")
    created_at: Timestamp
    updated_at: Timestamp


class MessageOut(BaseModel):
    """One line of a transcript."""

    id: Id
    direction: Literal["inbound", "outbound"] = Field(description="inbound: from the patient")
    kind: str = Field(description="text, image, audio, location, … (the provider's kinds)")
    body: str = Field(description="The text; empty for media without a caption")
    status: str | None = Field(description="The provider's delivery status of an outbound one")
    error_code: str | None = Field(description="The provider's error code when it failed")
    appointment_id: str | None = Field(description="The appointment a reminder was about")
    created_at: Timestamp
    updated_at: Timestamp


class ConversationEnvelope(BaseModel):
    """`{"data": conversation}`."""

    data: ConversationOut


class ConversationList(ListEnvelope):
    """A page of conversations."""

    data: list[ConversationOut]
    meta: PageMeta


class MessageList(ListEnvelope):
    """A page of a transcript."""

    data: list[MessageOut]
    meta: PageMeta
