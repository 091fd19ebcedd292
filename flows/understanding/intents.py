"""What the patient wants, from keyword rules over the normalised text.

Rules run in order and the first that fires wins: explicit action verbs beat nouns; a question
about the price is "price", about the place "address"; questions about a policy ("tem multa se
eu cancelar?") and objections ("estou sem cartão", "vou pensar") are "other": answered, never
acted upon.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flows.understanding.commands import asks_for_human
from flows.understanding.text import NO_EMOJI, YES_EMOJI, Prepared, has_unnegated

INTENTS = (
    "greeting",
    "thanks",
    "book",
    "my_appointments",
    "confirm",
    "cancel",
    "reschedule",
    "handoff",
    "price",
    "address",
    "insurances",
    "other",
)

# "não vou conseguir", "não vou poder ir", "não poderei ir": the patient will not come.
_ABSENCE = re.compile(
    r"\bnao (?:vou|irei|poderei|conseguirei|posso|consigo)(?: mais)?(?: (?:conseguir|poder))?"
    r" (?:ir|comparecer|estar (?:la|ai|presente))\b"
    r"|\bnao (?:vou|poderei|conseguirei)(?: mais)? (?:conseguir|poder)\b(?! \w+(?:ar|er|ir)\b)"
    r"|\bnao (?:vai|vou) (?:dar|rolar)\b|\bnao da (?:pra|para) ir\b|\bnao irei\b"
    r"|\bnao vou(?: mais)?(?: \||$)"
)
_ELSEWHEN = re.compile(r"\b(?:outr[oa]s? (?:dia|data|horario|hora|semana)|mais tarde|outro mes)\b")
_RESCHEDULE = re.compile(
    r"\b(?:remarcar|remarca|remarque|remarco|remarcacao|reagendar|reagenda|reagende|reagendo"
    r"|reagendamento|reprogramar|adiar|antecipar)\b"
    r"|\b(?:mudar|muda|mude|trocar|troca|troque|alterar|altera|altere|passar|transferir|mover)"
    r"(?: (?:o|a|de|do|da|meu|minha|para|pra|esse|essa))* (?:horario|data|dia|hora|consulta"
    r"|agendamento|marcacao)\b"
)
_CANCEL = re.compile(
    r"\b(?:cancelar|cancela|cancele|cancelo|desmarcar|desmarca|desmarque|desmarco|desmarcacao"
    r"|desagendar|sair do agendamento)\b"
    r"|\b(?:quero|queria|gostaria de|preciso|solicito|solicitar|pedir|peco)"
    r"(?: fazer)? (?:o |um |a )?cancelamento\b"
)
# A question about fees or rules ("tem multa se cancelar?") is not the act itself.
_POLICY = re.compile(
    r"\b(?:multa|taxa|cobra\w*|prazo|politica|antecedencia|reembolso|devolu\w+|estorno|pacote"
    r"|regras?|permitido)\b"
)
# Money words make a question about cancelling a policy question ("quanto custa cancelar?").
_POLICY_MONEY = re.compile(r"\b(?:custa|custo|pag\w*|gratis|gratuit[oa]|valor)\b")
_QUESTION_START = re.compile(r"^(?:qual|quais|quanto|quanta|como|existe|tem|ha)\b")
_CONFIRM = re.compile(
    r"\b(?:confirmo|confirmar|confirma|confirmado|confirmada|confirmando|estarei (?:la|ai|presente)"
    r"|vou comparecer|irei sim|vou sim|presenca confirmada)\b"
)
_BOOK_VERB = re.compile(
    r"\b(?:marcar|marca|marque|agendar|agenda|agende|agendo)\b"
    r"|\btem (?:alguma |algum )?(?:vagas?|horarios?|agenda|disponibilidade|encaixe)\b"
    r"|\b(?:horarios?|vagas?) (?:disponive(?:l|is)|livres?)\b"
)
_PRICE = re.compile(
    r"\b(?:quanto (?:custa|e|fica|sai|cobra|cobram|ta|esta|seria|vai ficar)|valor|valores|preco"
    r"|precos|custa|custo|tabela de precos?)\b"
)
_ADDRESS = re.compile(
    r"\b(?:onde (?:fica|ficam|e|esta|estao|voces (?:ficam|estao))|fica onde|endereco|localizacao"
    r"|como (?:chego|chegar|faco (?:para|pra) chegar)|qual (?:a )?rua|ponto de referencia)\b"
)
# "quais convênios vocês aceitam?", "aceita unimed?", "atende plano?": which insurances are taken.
_INSURANCES = re.compile(
    r"\b(?:convenios?|planos?(?: de saude)?)\b.*\b(?:aceita\w*|atende\w*|trabalha\w*|cobre\w*)\b"
    r"|\b(?:aceita\w*|atende\w*|trabalha\w*)\b.*\b(?:convenios?|planos?(?: de saude)?)\b"
    r"|\bquais (?:os )?(?:convenios|planos)\b"
)
# Payment and objections ("estou sem cartão", "tá caro"): answer, never act.
_PAYMENT = re.compile(
    r"\b(?:dinheiro|grana|cartao|pix|boleto|pagar|pagamento|parcel\w*|desconto|caro|cara"
    r"|estacionamento)\b"
)
_MINE = re.compile(
    r"\b(?:minhas consultas|meus agendamentos|minha consulta|meu agendamento|meus horarios"
    r"|meu horario|minhas marcacoes|minha marcacao|meu retorno|minha agenda"
    r"|tenho (?:uma |alguma |algum )?(?:consultas?|agendamentos?|horarios?)"
    r"|(?:ver|consultar|verificar|conferir) (?:a |o |as |os )?(?:minha|meu|minhas|meus)"
    r"|quando e (?:a )?minha)\b"
)
_BOOK_NOUN = re.compile(
    r"\b(?:consultas?|horarios?|vagas?|agendamento|marcacao|exames?|retorno|avaliacao|sessao"
    r"|encaixe|corte|cortar)\b"
)
_WANT = re.compile(r"\b(?:quero|queria|gostaria|preciso|prefiro|pode ser)\b")
# "obrigada!", "valeu", "vlw", "brigadão": thanks, which deserve a short answer, not a miss.
_THANKS = re.compile(
    r"\b(?:obrigad[oa]s?|obrigadao|obrigadinh[oa]|brigad[oa]|brigadao|obg|obgd|valeu|vlw|valew"
    r"|agradeco|grat[oa]|thanks|thank you)\b"
)
_GREETING = re.compile(
    r"\b(?:oi|oie|ola|opa|eai|e ai|hey|hello|salve|alo|bom dia|boa tarde|boa noite"
    r"|boa dia|bom tarde|boa madrugada)\b"
)


def _is_policy_question(p: Prepared) -> bool:
    if "?" not in p.raw and not _QUESTION_START.match(p.key):
        return False
    if _POLICY.search(p.key):
        return True
    about_a_change = _CANCEL.search(p.key) or _RESCHEDULE.search(p.key)
    return bool(about_a_change and _POLICY_MONEY.search(p.key))


def _money_or_place(p: Prepared) -> bool:
    """Any price, address or payment words, negated or not ("não tenho o valor")."""
    return any(pattern.search(p.key) for pattern in (_PRICE, _ADDRESS, _PAYMENT))


def _wants_out(p: Prepared) -> bool:
    if any(mark in p.raw for mark in NO_EMOJI):
        return True
    return bool(_ABSENCE.search(p.key)) or has_unnegated(_CANCEL, p.key)


def _confirms(p: Prepared) -> bool:
    if any(mark in p.raw for mark in YES_EMOJI):
        return True
    # "está confirmado?" asks about an appointment; it does not confirm one.
    return "?" not in p.raw and has_unnegated(_CONFIRM, p.key)


_Rule = Callable[[Prepared, bool, bool | None], bool]
# (fires(prepared, has_day, yes), intent), first match wins.
_RULES: tuple[tuple[_Rule, str], ...] = (
    (lambda p, day, yes: asks_for_human(p.key), "handoff"),
    (lambda p, day, yes: _is_policy_question(p), "other"),
    (lambda p, day, yes: has_unnegated(_RESCHEDULE, p.key), "reschedule"),
    (lambda p, day, yes: _wants_out(p) and bool(_ELSEWHEN.search(p.key)), "reschedule"),
    (lambda p, day, yes: _wants_out(p), "cancel"),
    (lambda p, day, yes: _confirms(p), "confirm"),
    (lambda p, day, yes: has_unnegated(_BOOK_VERB, p.key), "book"),
    (lambda p, day, yes: bool(_INSURANCES.search(p.key)), "insurances"),
    (lambda p, day, yes: has_unnegated(_PRICE, p.key), "price"),
    (lambda p, day, yes: bool(_ADDRESS.search(p.key)), "address"),
    (lambda p, day, yes: _money_or_place(p), "other"),
    (lambda p, day, yes: has_unnegated(_MINE, p.key), "my_appointments"),
    (lambda p, day, yes: has_unnegated(_BOOK_NOUN, p.key), "book"),
    (lambda p, day, yes: day and has_unnegated(_WANT, p.key), "book"),
    (lambda p, day, yes: bool(_GREETING.search(p.key)), "greeting"),
    (lambda p, day, yes: yes is True, "confirm"),
    (lambda p, day, yes: bool(_THANKS.search(p.key)), "thanks"),
)


def intent_of(prepared: Prepared, *, has_day: bool = False, yes: bool | None = None) -> str:
    """The patient's intent (one of INTENTS), given whether a day and a yes/no were read."""
    if not prepared.raw:
        return "other"
    for fires, intent in _RULES:
        if fires(prepared, has_day, yes):
            return intent
    return "other"
