"""Indicators a team defines itself, computed from the actions it records.

Pure Python (no Django). A team (e.g. Grenoble's mobile legal team "Guichet", fighting
non-take-up of housing rights) records *actions* on pseudonymised cases and defines its own
indicators as a *formula* over those actions, typed in a form by non-programmers, such as::

    percent(count(kind="recours_gracieux", outcome="favorable"), count(kind="recours_gracieux"))

Formulas are parsed with :mod:`ast` and only a whitelist of node types is accepted; nothing
is ever passed to ``eval``. Every rejection raises :class:`FormulaError` whose message is in
French (it is shown next to the form field) and says what is wrong and where.

The language:

* numbers, ``+ - * /``, unary ``-`` and parentheses, with the usual precedence;
* ``count(<filters>)``: number of matching actions;
* ``cases(<filters>)``: number of distinct case numbers among the matching actions;
* ``median_days(<filters>)``: median, over the cases, of the days between a case's first
  action and its first matching action (a case whose first action matches counts 0);
* ``percent(a, b)``: ``100 * a / b``, and 0 when ``b`` is 0 (a share of nothing is shown
  as 0 %, not as an error);
* ``min(a, b, ...)`` and ``max(a, b, ...)``.

Filters are keyword arguments, ``field="value"`` or ``field=["v1", "v2"]`` (any of the
values); several filters must all hold. Field names, and optionally their values, are
checked when the formula is compiled, so a typo is reported while the team defines the
indicator rather than silently giving 0 later. Action values are compared as text
(``None`` as ``""``), so ``case="12"`` matches the case number 12.

Missing results are ``None`` ("no data"), never an exception: a division by zero, a
``median_days`` without any matching case, a non-finite number. ``None`` propagates: any
arithmetic, ``percent``, ``min`` or ``max`` with a ``None`` operand gives ``None``.

Period: :meth:`Formula.evaluate` may restrict the computation to the actions dated within
``(start, end)``, both inclusive. ``median_days`` still looks at the whole history for a
case's first action (a case opened before the period and brought to court during it has a
real delay), but only keeps the cases whose first matching action falls in the period.

Speed: the period filter is one pass over the actions and each distinct aggregate (same
function, same filters) one more pass; ``median_days`` adds one pass for the cases' first
dates. Identical aggregates in one formula are computed once.
"""

from __future__ import annotations

import ast
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Formula",
    "FormulaError",
    "IndicatorValue",
    "compile_formula",
    "evaluate_indicator",
]

MAX_LENGTH = 500
"""Longest accepted formula, in characters."""

MAX_DEPTH = 100
"""Deepest accepted nesting of operations and function calls."""

AGGREGATES = ("count", "cases", "median_days")
FUNCTIONS = ("count", "cases", "percent", "min", "max", "median_days")

_FUNCTIONS_FR = "count, cases, percent, min, max ou median_days"
_EXAMPLE_FILTER = 'count(kind="contact")'

Action = Mapping[str, object]
Value = float | None


class FormulaError(ValueError):
    """A formula that cannot be accepted; ``str(error)`` is a French message for the form.

    ``message`` is the explanation alone and ``position`` the 1-based character where the
    problem is (``None`` when it concerns the whole formula).
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        self.message = message
        self.position = position
        text = message if position is None else f"{message} (caractère {position})"
        super().__init__(text)


# --- Compiled tree ------------------------------------------------------------------------

Filters = tuple[tuple[str, frozenset[str]], ...]


class _Context:
    """What one evaluation shares between the nodes: actions and cached aggregates."""

    def __init__(self, actions: Sequence[Action], period: tuple[date, date] | None) -> None:
        self.all_actions = actions
        self.period = period
        self.actions = actions if period is None else [a for a in actions if _in(a, period)]
        self.cache: dict[tuple[str, Filters], Value] = {}
        self._first_dates: dict[object, date] | None = None

    def first_dates(self) -> dict[object, date]:
        """Date of each case's first action, over the whole history (not the period)."""
        if self._first_dates is None:
            first: dict[object, date] = {}
            for action in self.all_actions:
                case = action.get("case")
                if case is None or case == "":
                    continue
                day = _day(action)
                known = first.get(case)
                if known is None or day < known:
                    first[case] = day
            self._first_dates = first
        return self._first_dates


def _day(action: Action) -> date:
    day = action["date"]
    # A datetime cannot be compared with a date: keep its calendar day.
    return day.date() if isinstance(day, datetime) else day  # type: ignore[return-value]


def _in(action: Action, period: tuple[date, date]) -> bool:
    return period[0] <= _day(action) <= period[1]


def _text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _matcher(filters: Filters) -> Callable[[Action], bool]:
    if not filters:
        return lambda action: True
    if len(filters) == 1:
        ((field, values),) = filters
        return lambda action: _text(action.get(field)) in values
    return lambda action: all(_text(action.get(f)) in values for f, values in filters)


@dataclass(frozen=True)
class _Number:
    value: float

    def run(self, context: _Context) -> Value:
        return self.value


@dataclass(frozen=True)
class _Negative:
    operand: _Node

    def run(self, context: _Context) -> Value:
        value = self.operand.run(context)
        return None if value is None else -value


@dataclass(frozen=True)
class _Arithmetic:
    operator: str
    left: _Node
    right: _Node

    def run(self, context: _Context) -> Value:
        left = self.left.run(context)
        right = self.right.run(context)
        if left is None or right is None:
            return None
        if self.operator == "+":
            return left + right
        if self.operator == "-":
            return left - right
        if self.operator == "*":
            return left * right
        return None if right == 0 else left / right


@dataclass(frozen=True)
class _Percent:
    part: _Node
    whole: _Node

    def run(self, context: _Context) -> Value:
        part = self.part.run(context)
        whole = self.whole.run(context)
        if part is None or whole is None:
            return None
        return 0.0 if whole == 0 else 100 * part / whole


@dataclass(frozen=True)
class _Extremum:
    function: str  # "min" or "max"
    operands: tuple[_Node, ...]

    def run(self, context: _Context) -> Value:
        values = [operand.run(context) for operand in self.operands]
        if any(value is None for value in values):
            return None
        return min(values) if self.function == "min" else max(values)  # type: ignore[type-var]


@dataclass(frozen=True)
class _Aggregate:
    function: str  # one of AGGREGATES
    filters: Filters

    def run(self, context: _Context) -> Value:
        key = (self.function, self.filters)
        if key not in context.cache:
            context.cache[key] = self._compute(context)
        return context.cache[key]

    def _compute(self, context: _Context) -> Value:
        matches = _matcher(self.filters)
        if self.function == "count":
            return float(sum(1 for action in context.actions if matches(action)))
        if self.function == "cases":
            found = {action.get("case") for action in context.actions if matches(action)}
            found.discard(None)
            found.discard("")
            return float(len(found))
        # median_days: first matching action per case over the whole history, kept only
        # when it falls within the period.
        first_match: dict[object, date] = {}
        for action in context.all_actions:
            case = action.get("case")
            if case is None or case == "" or not matches(action):
                continue
            day = _day(action)
            known = first_match.get(case)
            if known is None or day < known:
                first_match[case] = day
        period = context.period
        first = context.first_dates()
        delays = [
            (day - first[case]).days
            for case, day in first_match.items()
            if period is None or period[0] <= day <= period[1]
        ]
        return float(statistics.median(delays)) if delays else None


_Node = _Number | _Negative | _Arithmetic | _Percent | _Extremum | _Aggregate


# --- Public API ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A checked formula, ready to be evaluated any number of times."""

    text: str
    _root: _Node

    def evaluate(
        self, actions: Sequence[Action], *, period: tuple[date, date] | None = None
    ) -> float | None:
        """Value of the formula over ``actions`` (dicts with ``kind``, ``outcome``, ``date``
        and ``case`` at least), optionally only within ``period`` (inclusive bounds).

        Returns ``None`` when there is no data (see the module docstring): a division by
        zero, an empty ``median_days``, a non-finite result.
        """
        if period is not None and period[0] > period[1]:
            raise ValueError(f"Period starts after it ends: {period[0]} > {period[1]}")
        value = self._root.run(_Context(actions, period))
        if value is None or not math.isfinite(value):
            return None
        return float(value)


@dataclass(frozen=True)
class IndicatorValue:
    """An indicator's value next to its target; ``met`` is ``value >= target``.

    ``met`` is ``None`` when there is no target or no value: "unknown", not "missed".
    """

    value: float | None
    target: float | None
    met: bool | None


def evaluate_indicator(
    formula: Formula,
    actions: Sequence[Action],
    target: float | None,
    *,
    period: tuple[date, date] | None = None,
) -> IndicatorValue:
    """Evaluate ``formula`` and compare it with ``target`` (met when value >= target).

    Targets are "at least" targets; for a delay that should stay low, write the formula
    the other way round (e.g. ``-median_days(...)`` with a negative target).
    """
    value = formula.evaluate(actions, period=period)
    met = None if value is None or target is None else value >= target
    return IndicatorValue(value=value, target=target, met=met)


def compile_formula(
    text: str, *, fields: set[str], choices: Mapping[str, set[str]] | None = None
) -> Formula:
    """Parse and check ``text``; raise :class:`FormulaError` (French message) if invalid.

    ``fields`` are the action fields filters may use; ``choices`` optionally gives the
    allowed values of some of them, so that a misspelt value is caught here.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise FormulaError("La formule est vide.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"La formule est trop longue ({len(text)} caractères, {MAX_LENGTH} au plus)."
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise _syntax_error(text, error) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("La formule est trop imbriquée.") from None
    checker = _Checker(text, frozenset(fields), choices or {})
    return Formula(text=text, _root=checker.expression(tree.body, 0))


# --- Checking -----------------------------------------------------------------------------

_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
}

_OTHER_OPERATORS: dict[type[ast.operator], str] = {
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}

_FORBIDDEN: dict[type[ast.AST], str] = {
    ast.Attribute: "L'accès à un attribut (a.b) n'est pas autorisé",
    ast.Subscript: "L'indexation (a[b]) n'est pas autorisée",
    ast.Lambda: "Les fonctions anonymes (lambda) ne sont pas autorisées",
    ast.ListComp: "Les compréhensions ne sont pas autorisées",
    ast.SetComp: "Les compréhensions ne sont pas autorisées",
    ast.DictComp: "Les compréhensions ne sont pas autorisées",
    ast.GeneratorExp: "Les compréhensions ne sont pas autorisées",
    ast.Compare: "Les comparaisons (==, <, >…) ne sont pas autorisées ; "
    "pour filtrer, écrivez par exemple " + _EXAMPLE_FILTER,
    ast.BoolOp: "Les opérateurs logiques (and, or) ne sont pas autorisés ; "
    "plusieurs filtres dans une même fonction doivent tous être vrais",
    ast.IfExp: "Les conditions (… if … else …) ne sont pas autorisées",
    ast.NamedExpr: "L'affectation (:=) n'est pas autorisée",
    ast.JoinedStr: 'Les textes formatés (f"…") ne sont pas autorisés',
    ast.Dict: "Les dictionnaires ({…}) ne sont pas autorisés",
    ast.Set: "Les ensembles ({…}) ne sont pas autorisés",
    ast.Await: "« await » n'est pas autorisé",
    ast.Yield: "« yield » n'est pas autorisé",
    ast.YieldFrom: "« yield » n'est pas autorisé",
    ast.Starred: "L'étoile (*) n'est pas autorisée ici",
}


def _syntax_error(text: str, error: SyntaxError) -> FormulaError:
    message = error.msg or ""
    if "too many nested" in message:
        return FormulaError("La formule est trop imbriquée.")
    if "never closed" in message:
        reason = "une parenthèse ou un crochet ouvert n'est jamais fermé"
    elif message.startswith("unmatched") or message.startswith("closing parenthesis"):
        reason = "une parenthèse ou un crochet fermant est en trop ou ne correspond pas"
    elif "unterminated string" in message:
        reason = "un texte n'a pas de guillemet fermant"
    elif "Perhaps you forgot a comma" in message:
        reason = "il manque sans doute une virgule ou un opérateur"
    else:
        reason = "vérifiez les parenthèses, les virgules, les guillemets et les opérateurs"
    position = None
    if error.lineno and error.offset:
        position = _absolute(text, error.lineno, error.offset - 1)
    elif error.offset == 0 or error.offset is None:
        position = len(text)  # unexpected end of the formula
    return FormulaError(f"Erreur de syntaxe : {reason}.", position)


def _absolute(text: str, line: int, column: int) -> int:
    """1-based character index in ``text`` of a (1-based line, 0-based character column)."""
    lines = text.split("\n")
    return sum(len(previous) + 1 for previous in lines[: line - 1]) + column + 1


class _Checker:
    """Turns a parsed expression into a tree of ``_Node``, or raises FormulaError."""

    def __init__(self, text: str, fields: frozenset[str], choices: Mapping[str, set[str]]):
        self.text = text
        self.fields = fields
        self.choices = choices
        self.lines = text.split("\n")

    def error(self, message: str, node: ast.AST) -> FormulaError:
        line = getattr(node, "lineno", None)
        column = getattr(node, "col_offset", None)
        if line is None or column is None:
            return FormulaError(message)
        # col_offset counts UTF-8 bytes; the form user counts characters.
        chars = len(self.lines[line - 1].encode()[:column].decode(errors="ignore"))
        return FormulaError(message, _absolute(self.text, line, chars))

    def expression(self, node: ast.expr, depth: int) -> _Node:
        if depth > MAX_DEPTH:
            raise self.error(f"La formule est trop imbriquée ({MAX_DEPTH} niveaux au plus).", node)
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.BinOp):
            operator = _OPERATORS.get(type(node.op))
            if operator is None:
                symbol = _OTHER_OPERATORS.get(type(node.op), "?")
                raise self.error(
                    f"Opérateur non autorisé « {symbol} » : utilisez + - * / et des parenthèses.",
                    node,
                )
            left = self.expression(node.left, depth + 1)
            right = self.expression(node.right, depth + 1)
            return _Arithmetic(operator, left, right)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub):
                raise self.error(
                    "Opérateur non autorisé : seul le moins (-) peut précéder un nombre.", node
                )
            return _Negative(self.expression(node.operand, depth + 1))
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Name):
            raise self.error(
                f"Nom inattendu « {node.id} » : seules les fonctions {_FUNCTIONS_FR} "
                f"sont disponibles, par exemple {_EXAMPLE_FILTER}.",
                node,
            )
        if isinstance(node, ast.List | ast.Tuple):
            raise self.error(
                "Une liste ne s'utilise que comme valeur de filtre, par exemple "
                'count(kind=["contact", "information"]).',
                node,
            )
        reason = _FORBIDDEN.get(type(node), "Élément non autorisé dans une formule")
        raise self.error(f"{reason}.", node)

    def number(self, node: ast.Constant) -> _Number:
        value = node.value
        if isinstance(value, str):
            raise self.error(
                f"Texte « {value} » inattendu : un texte entre guillemets ne s'utilise que "
                f"comme valeur de filtre, par exemple {_EXAMPLE_FILTER}.",
                node,
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"Valeur non autorisée « {value!r} ».", node)
        try:
            number = float(value)
        except OverflowError:
            raise self.error("Nombre trop grand.", node) from None
        if not math.isfinite(number):
            raise self.error("Nombre trop grand.", node)
        return _Number(number)

    def call(self, node: ast.Call, depth: int) -> _Node:
        if not isinstance(node.func, ast.Name):
            raise self.error(
                f"Appel non autorisé : seules les fonctions {_FUNCTIONS_FR} sont disponibles.",
                node,
            )
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.error(f"Fonction inconnue « {name} » : utilisez {_FUNCTIONS_FR}.", node)
        if name in AGGREGATES:
            if node.args and isinstance(node.args[0], ast.Compare):
                raise self.error(
                    "Les comparaisons (==) ne sont pas autorisées : un filtre s'écrit avec un "
                    f'seul signe égal, par exemple {name}(kind="contact").',
                    node.args[0],
                )
            if node.args:
                raise self.error(
                    f"{name} n'accepte que des filtres nommés, par exemple "
                    f'{name}(kind="contact", outcome="favorable").',
                    node.args[0],
                )
            return _Aggregate(name, self.filters(name, node))
        if node.keywords:
            raise self.error(
                f"{name} n'accepte pas de filtre nommé : les filtres vont dans count, cases "
                "ou median_days.",
                node.keywords[0],
            )
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                raise self.error(f"{_FORBIDDEN[ast.Starred]}.", argument)
        operands = tuple(self.expression(argument, depth + 1) for argument in node.args)
        if name == "percent":
            if len(operands) != 2:
                raise self.error(
                    f"percent attend exactement deux valeurs (partie, total), {len(operands)} "
                    "données.",
                    node,
                )
            return _Percent(*operands)
        if not operands:
            raise self.error(f"{name} attend au moins une valeur.", node)
        return _Extremum(name, operands)

    def filters(self, function: str, node: ast.Call) -> Filters:
        seen: dict[str, frozenset[str]] = {}
        for keyword in node.keywords:
            field = keyword.arg
            if field is None:
                raise self.error("La forme **filtres n'est pas autorisée.", keyword)
            if field not in self.fields:
                raise self.error(
                    f"Champ inconnu « {field} » : champs possibles : "
                    f"{', '.join(sorted(self.fields))}.",
                    keyword,
                )
            if field in seen:
                raise self.error(
                    f"Le champ « {field} » est filtré deux fois dans {function} : pour "
                    f'accepter plusieurs valeurs, écrivez {field}=["…", "…"].',
                    keyword,
                )
            seen[field] = self.values(field, keyword.value)
        return tuple(sorted(seen.items()))

    def values(self, field: str, node: ast.expr) -> frozenset[str]:
        if isinstance(node, ast.List | ast.Tuple):
            items = node.elts
            if not items:
                raise self.error(f"La liste de valeurs du champ « {field} » est vide.", node)
        else:
            items = [node]
        values: list[str] = []
        for item in items:
            if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
                raise self.error(
                    f"La valeur du champ « {field} » doit être un texte entre guillemets, "
                    f'par exemple {field}="…", ou une liste de textes.',
                    item,
                )
            allowed = self.choices.get(field)
            if allowed is not None and item.value not in allowed:
                shown = ", ".join(value or '""' for value in sorted(allowed)) or "(aucune)"
                raise self.error(
                    f"Valeur inconnue « {item.value} » pour le champ « {field} » : "
                    f"valeurs possibles : {shown}.",
                    item,
                )
            values.append(item.value)
        return frozenset(values)
