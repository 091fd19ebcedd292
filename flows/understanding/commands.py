"""Navigation commands that work from any step ("menu", "voltar", "humano", ...)."""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from flows.understanding.text import Prepared, has_unnegated, without_politeness

# Whole-message phrases, already normalised (no accents, no punctuation).
COMMAND_PHRASES: dict[str, tuple[str, ...]] = {
    "menu": (
        "menu",
        "inicio",
        "comecar de novo",
        "recomecar",
        "menu principal",
        "voltar ao menu",
        "voltar pro menu",
        "voltar para o menu",
        "voltar ao inicio",
        "voltar pro inicio",
        "voltar para o inicio",
        "do inicio",
        "comecar do zero",
    ),
    "back": ("voltar", "volta", "anterior", "voltar um passo", "etapa anterior"),
    "human": (
        "humano",
        "atendente",
        "falar com atendente",
        "falar com o atendente",
        "falar com uma pessoa",
        "falar com pessoa",
        "pessoa",
        "falar com humano",
        "falar com um humano",
        "atendimento humano",
        "atendente humano",
    ),
    "cancel": ("cancelar", "cancela", "sair do agendamento", "cancelar agendamento"),
    # Opt-out and back in, for proactive messages only ("cancelar" keeps meaning the appointment).
    "stop": (
        "parar",
        "stop",
        "parar de receber",
        "parar mensagens",
        "parar lembretes",
        "nao quero receber mensagens",
        "nao quero mais receber mensagens",
        "descadastrar",
    ),
    "waitlist": (
        "espera",
        "lista de espera",
        "entrar na lista de espera",
        "me avise",
        "me avisa",
        "me avise quando abrir",
        "me avisa quando abrir",
        "me avisa se abrir vaga",
        "me avise se abrir vaga",
        "avise quando abrir",
    ),
    # "sair" leaves what is in progress; at rest it asks whether to stop messages (not PARAR).
    "leave": ("sair",),
    "start": ("ativar", "reativar", "voltar a receber", "quero receber lembretes", "start"),
    "more": (
        "mais",
        "ver mais",
        "mais horarios",
        "outros horarios",
        "proximos",
        "mais opcoes",
        "outras opcoes",
        "proximos horarios",
        "ver outros horarios",
        "mais datas",
        "outras datas",
    ),
}

# "quero falar com alguém", "me passa pra um atendente": a person is wanted, wherever it is said.
_WHO = (
    r"(?:o |a |um |uma )?(?:alguem|humano|pessoa|atendente|atendimento|recepcao|recepcionista"
    r"|secretaria|gente|responsavel|funcionari[oa])"
)
_HUMAN_REQUEST = re.compile(
    rf"\b(?:falar|conversar|fala|falo) com {_WHO}\b"
    r"|\b(?:atendente|atendimento|pessoa) (?:humano|humana|real|de verdade)\b"
    rf"|\b(?:quero|queria|preciso de|gostaria de|chama|chame|chamar|transferir|passar"
    rf"|me passa|me passe|me transfere|me transfira)(?: para| pra| pro| com)? {_WHO}\b"
)
# A negation here is the request itself, so it is matched without the negation filter.
_NOT_A_ROBOT = re.compile(
    r"\bnao (?:quero )?(?:falar|conversar) com (?:um |o )?(?:robo|bot|maquina)\b"
)


# A typo must never turn a message into an opt-out ("pagar" is one letter from "parar").
EXACT_ONLY = frozenset({"stop", "start", "leave"})


def _allowed_typos(phrase: str, command: str = "") -> int:
    """Short words must be exact: a typo budget on "mais" would swallow "mas"."""
    if len(phrase) <= 4 or command in EXACT_ONLY:
        return 0
    return 1 if len(phrase) <= 8 else 2


def _closest_command(message: str) -> str | None:
    """The command whose phrase is within its typo budget of `message`, if exactly one is."""
    best: dict[str, int] = {}
    for command, phrases in COMMAND_PHRASES.items():
        for phrase in phrases:
            budget = _allowed_typos(phrase, command)
            if abs(len(phrase) - len(message)) > budget:
                continue
            distance = OSA.distance(message, phrase, score_cutoff=budget)
            if distance <= budget:
                best[command] = min(distance, best.get(command, distance))
    if not best:
        return None
    lowest = min(best.values())
    winners = [command for command, distance in best.items() if distance == lowest]
    return winners[0] if len(winners) == 1 else None


def asks_for_human(key: str) -> bool:
    """True when the message clearly asks for a person rather than the bot."""
    return bool(_NOT_A_ROBOT.search(key)) or has_unnegated(_HUMAN_REQUEST, key)


def command_of(prepared: Prepared) -> str | None:
    """The navigation command the whole message amounts to, or None."""
    message = without_politeness(prepared.plain)
    if not message or len(message) > 40:
        return None
    return _closest_command(message)
