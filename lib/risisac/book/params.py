"""Chapter parameters: profiles, overrides and validation.

Every chapter's first code cell is a papermill ``parameters`` cell holding
``profile`` (``"book"``, ``"smoke"`` or ``"paper"``) and every tunable
parameter set to ``None`` ("take the profile's value").  The next cell calls
:func:`resolve`, which

1. rejects any variable in the namespace that is not a declared parameter
   (papermill only *warns* about unknown ``-p`` names; we stop),
2. takes the profile's values and applies the explicit (non-``None``) ones,
3. validates every value (type, range, choices) and the chapter's
   cross-constraints, raising :class:`ParameterError` naming the parameter and
   the allowed values.

Example::

    SPEC = Spec("shared_models",
                {"seed": Int(lo=0), "snr_db": FloatList(lo=-40, hi=80)},
                profiles={"book": dict(seed=1, snr_db=[0, 10]),
                          "smoke": dict(seed=1, snr_db=[0]),
                          "paper": dict(seed=1, snr_db=[0, 10, 20])})
    P = resolve(SPEC, globals())      # or SPEC.resolve(globals())
    P.snr_db  # -> [0.0, 10.0]

Re-running the parameters cell in a live kernel works: inside IPython only the
names assigned by the cell(s) run just before the resolve call (the parameters
cell and papermill's injected cell: cells of plain literal assignments) count as
given parameters, so the chapter's own variables are never taken for unknown
parameters.

Dependent defaults: a profile value may be :class:`Derived`, a function of the
other resolved parameters, used only when the reader does not pass the value::

    profiles={"book": dict(N=64, N_sweep=Derived(lambda p: sorted({32, 64, p.N}),
                                                 "32, 64 and N")), ...}

so ``-p N 128`` gives ``N_sweep = [32, 64, 128]``. An invalid value raises
:class:`ParameterError`, which IPython (and ``make run``) show as one short
message without a traceback.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

PROFILES = ("book", "smoke", "paper")

# Names IPython / papermill put in a kernel namespace that are not parameters.
_IGNORED = {"In", "Out", "get_ipython", "exit", "quit", "open", "profile"}


class ParameterError(ValueError):
    """A chapter parameter is unknown or has an invalid value.

    IPython shows it as a short message (at most five lines, no traceback): the
    message names the parameter, its value and what is allowed.
    """

    def _render_traceback_(self) -> list[str]:
        lines = [ln for ln in str(self).splitlines() if ln.strip()] or [""]
        out = [f"\x1b[0;31mParameterError\x1b[0m: {lines[0]}"] + lines[1:3]
        out.append("(the chapter stopped here: fix the parameter in the parameters cell or your "
                   "-p options and run again)")
        return out[:5]


class Derived:
    """A profile value computed from the other resolved parameters (a dependent default).

    ``fn`` receives the resolved parameters so far (attribute access) and returns the
    value, which is then validated like any other. ``text`` says the rule in words
    (shown in the parameters table). Used only when the parameter is not given.
    """

    def __init__(self, fn: Callable[[Any], Any], text: str = ""):
        self.fn, self.text = fn, text

    def __repr__(self) -> str:
        return f"Derived({self.text or self.fn!r})"


@dataclass
class _Param:
    help: str = ""

    def check(self, name: str, value: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def allowed(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fail(self, name: str, value: Any) -> None:
        raise ParameterError(
            f"parameter {name!r} = {value!r} is invalid: allowed values are {self.allowed()}"
            + (f" ({self.help})" if self.help else "")
        )


def _range_text(kind: str, lo, hi) -> str:
    if lo is None and hi is None:
        return f"any {kind}"
    if hi is None:
        return f"{kind} >= {lo}"
    if lo is None:
        return f"{kind} <= {hi}"
    return f"{kind} in [{lo}, {hi}]"


@dataclass
class Int(_Param):
    lo: int | None = None
    hi: int | None = None

    def allowed(self) -> str:
        return _range_text("an integer", self.lo, self.hi)

    def check(self, name, value):
        original = value
        if isinstance(value, bool):
            self._fail(name, value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                value = None
            if value is None:
                self._fail(name, original)
        if not isinstance(value, int):
            self._fail(name, value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            self._fail(name, value)
        return value


@dataclass
class Float(_Param):
    lo: float | None = None
    hi: float | None = None

    def allowed(self) -> str:
        return _range_text("a number", self.lo, self.hi)

    def check(self, name, value):
        original = value
        if isinstance(value, bool):
            self._fail(name, value)
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                value = None   # reported below, outside the except block (no chained traceback)
            if value is None:
                self._fail(name, original)
        if not isinstance(value, (int, float)) or value != value:  # NaN
            self._fail(name, value)
        value = float(value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            self._fail(name, value)
        return value


@dataclass
class Bool(_Param):
    def allowed(self) -> str:
        return "True or False"

    def check(self, name, value):
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if not isinstance(value, bool):
            self._fail(name, value)
        return value


@dataclass
class Choice(_Param):
    choices: Sequence[Any] = ()

    def allowed(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def check(self, name, value):
        if value not in self.choices:
            self._fail(name, value)
        return value


@dataclass
class _List(_Param):
    lo: float | None = None
    hi: float | None = None
    min_len: int = 1
    max_len: int | None = None
    _item: type = float

    def allowed(self) -> str:
        kind = "integers" if self._item is int else "numbers"
        n = f"{self.min_len}..{self.max_len}" if self.max_len else f">= {self.min_len}"
        rng = _range_text("each", self.lo, self.hi).replace("each", "each")
        return f"a list of {n} {kind} ({rng}), e.g. [0, 10] or '0,10'"

    def check(self, name, value):
        original = value
        if isinstance(value, str):
            text = value.strip().strip("[]()")
            value = [t for t in text.replace(";", ",").split(",") if t.strip()] if text else []
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, (list, tuple)):
            self._fail(name, original)
        scalar = Int(lo=self.lo, hi=self.hi) if self._item is int else Float(lo=self.lo, hi=self.hi)
        out = []
        ok = True
        for v in value:
            try:
                out.append(scalar.check(name, v))
            except ParameterError:
                ok = False
        if not ok or len(out) < self.min_len or (self.max_len is not None and len(out) > self.max_len):
            self._fail(name, original)
        return out


@dataclass
class FloatList(_List):
    _item: type = float


@dataclass
class IntList(_List):
    _item: type = int


@dataclass
class Spec:
    """A chapter's parameters: declarations, profiles and cross-checks.

    ``profiles`` maps each of ``"book"``, ``"smoke"``, ``"paper"`` to a dict of
    values; every declared parameter must have a value in every profile.
    ``check`` (optional) receives the resolved :class:`Params` and raises
    :class:`ParameterError` for violated cross-constraints.
    """

    chapter: str
    params: Mapping[str, _Param]
    profiles: Mapping[str, Mapping[str, Any]]
    check: Callable[["Params"], None] | None = None

    def __post_init__(self):
        if set(self.profiles) != set(PROFILES):
            raise ValueError(f"profiles must be exactly {PROFILES}, got {sorted(self.profiles)}")
        for prof, values in self.profiles.items():
            missing = set(self.params) - set(values)
            extra = set(values) - set(self.params)
            if missing or extra:
                raise ValueError(f"profile {prof!r}: missing {sorted(missing)}, undeclared {sorted(extra)}")

    def resolve(self, namespace: Mapping[str, Any] | None = None, profile: str | None = None,
                **overrides) -> "Params":
        """Resolve and validate this chapter's parameters (see :func:`resolve`)."""
        return resolve(self, namespace, profile, **overrides)


class Params(types.SimpleNamespace):
    """Resolved, validated parameters (attribute access), plus ``profile``."""

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __str__(self) -> str:
        d = self.as_dict()
        width = max(len(k) for k in d)
        return "\n".join(f"{k:<{width}} = {v!r}" for k, v in d.items())

    def table(self):
        """The resolved values as a table (HTML in the book, text for nbval): name,
        value and where it came from (profile, given, or derived from other values)."""
        from .plotting import DataTable, fmt
        src = vars(self).get("_sources", {})
        rows = [[k, fmt(v), src.get(k, "profile" if k != "profile" else "")]
                for k, v in self.as_dict().items()]
        return DataTable(["parameter", "value", "source"], rows, digits=[4, 4, 4])

    def rerun_box(self, chapter: str | None = None, **kw):
        """The chapter's "Re-run this chapter" box (:mod:`risisac.book.rerun`): the
        command, the profiles with their recorded run times, the resolved parameters;
        ``paper=`` (the paper profile's expected time), ``rebuild=`` (``(what, command,
        time)`` of each stored artefact), ``example=`` (the ``ARGS`` of the example command) and
        ``show_params=`` as :class:`~risisac.book.rerun.RerunBox`."""
        from .rerun import RerunBox
        name = chapter or vars(self).get("_chapter")
        if not name:
            raise ValueError("rerun_box: pass the chapter name (these parameters were not resolved by a Spec)")
        return RerunBox(name, self, **kw)


def _candidates(namespace: Mapping[str, Any]) -> dict:
    """Variables of a notebook namespace that look like parameters."""
    out = {}
    for k, v in namespace.items():
        if k.startswith("_") or k in _IGNORED:
            continue
        if isinstance(v, (types.ModuleType, types.FunctionType, type, Spec)) or callable(v):
            continue
        out[k] = v
    return out


def _literal_assignments(src: str) -> set[str] | None:
    """Names a cell assigns if it consists only of ``name = <literal>`` statements, else None."""
    import ast
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return None
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            targets = [t.id for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            targets = [node.target.id]
        else:
            return None
        try:
            ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
        names.update(targets)
    return names or None


def parameter_cell_names(namespace: Mapping[str, Any]) -> set[str] | None:
    """Inside IPython: the names assigned by the parameters cell(s) run just before this one.

    IPython's input history ``In`` ends with the running cell; the cells before it
    that consist only of literal assignments are the parameters cell and papermill's
    injected-parameters cell. Returns ``None`` outside IPython (no history).
    """
    hist = namespace.get("In")
    if not isinstance(hist, list) or len(hist) < 2:
        return None
    names: set[str] = set()
    for src in reversed(hist[:-1]):
        cell = _literal_assignments(src) if isinstance(src, str) else None
        if cell is None:
            break
        names |= cell
    return names


def resolve(spec: Spec, namespace: Mapping[str, Any] | None = None, profile: str | None = None,
            **overrides) -> Params:
    """Resolve a chapter's parameters from a notebook namespace (``globals()``).

    Inside IPython, the names assigned by the parameters cell (and papermill's
    injected cell) are the given parameters; any of them that is not declared is an
    unknown parameter. Outside IPython (a plain dict) every plain variable of the
    namespace counts. ``overrides`` (keyword arguments) take precedence and are
    convenient in tests. Profile values that are :class:`Derived` are computed from
    the other resolved values unless given. Raises :class:`ParameterError`.
    """
    given: dict[str, Any] = {}
    if namespace is not None:
        cell_names = parameter_cell_names(namespace)
        cand = _candidates(namespace)
        if cell_names is not None:
            cand = {k: v for k, v in cand.items() if k in cell_names}
        unknown = sorted(set(cand) - set(spec.params))
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) {', '.join(map(repr, unknown))} for chapter {spec.chapter!r}; "
                f"known parameters are: {', '.join(spec.params)} (and 'profile')"
            )
        given.update({k: v for k, v in cand.items() if v is not None})
        if profile is None:
            profile = namespace.get("profile", "book")
    unknown = sorted(set(overrides) - set(spec.params))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for chapter {spec.chapter!r}; "
            f"known parameters are: {', '.join(spec.params)}"
        )
    given.update({k: v for k, v in overrides.items() if v is not None})
    profile = profile or "book"
    if profile not in PROFILES:
        raise ParameterError(f"parameter 'profile' = {profile!r} is invalid: allowed values are "
                             + ", ".join(map(repr, PROFILES)))
    values = dict(spec.profiles[profile])
    values.update(given)
    checked: dict[str, Any] = {"profile": profile}
    sources: dict[str, str] = {}
    derived = [n for n in spec.params if isinstance(values[n], Derived)]
    for name, decl in spec.params.items():
        if name not in derived:
            checked[name] = decl.check(name, values[name])
            sources[name] = "given" if name in given else "profile"
    for name in derived:
        rule = values[name]
        so_far = Params(**checked)
        checked[name] = spec.params[name].check(name, rule.fn(so_far))
        sources[name] = "derived" + (f": {rule.text}" if rule.text else "")
    ordered = {"profile": profile, **{n: checked[n] for n in spec.params}}
    p = Params(**ordered)
    p._sources = sources
    p._chapter = spec.chapter
    if spec.check is not None:
        spec.check(p)
    return p


_NO_VALUE = object()


def require(condition: bool, name: str, message: str, value: Any = _NO_VALUE,
            fix: str | None = None) -> None:
    """Cross-constraint helper for ``Spec.check``: raise naming ``name``.

    Pass ``value`` (the parameter's current value) and ``fix`` (what to do) so the
    message says both, e.g. ``require(P.N in P.N_sweep, "N_sweep", f"must contain N = {P.N}",
    value=P.N_sweep, fix="leave N_sweep unset (it then follows N) or add N to it")``.
    """
    if not condition:
        head = f"parameter {name!r}" + ("" if value is _NO_VALUE else f" = {value!r}")
        raise ParameterError(f"{head}: {message}" + (f"\nfix: {fix}" if fix else ""))
