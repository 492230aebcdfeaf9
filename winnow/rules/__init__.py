"""Rule packs: boilerplate rules as data (TOML), loaded and compiled once."""

from __future__ import annotations

import fnmatch
import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from winnow.errors import ConfigError

CATEGORIES = frozenset(
    {"ad", "ui", "promo", "social", "newsletter", "related", "legal", "navigation", "learned"}
)
MATCH_KINDS = frozenset({"exact", "prefix", "regex"})
WHERE = frozenset({"anywhere", "head", "tail"})

_DECORATION = " \t|•·>*_-–—»›"


def normalise_line(line: str) -> str:
    """The form rules match against: trimmed of decoration, spaces collapsed, case folded."""
    if len(line) > 2_000:
        return _normalise(line)
    return _normalised(line)  # learned boilerplate and the cleaner both ask, for the same lines


def _normalise(line: str) -> str:
    return " ".join(line.strip(_DECORATION).split()).casefold()


_normalised = lru_cache(maxsize=32_768)(_normalise)


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    match: str
    patterns: tuple[str, ...]
    where: str = "anywhere"
    max_words: int | None = None
    case_sensitive: bool = False
    note: str = ""
    pack: str = ""
    paths: tuple[str, ...] = ()  # glob filters on the source path; empty = every source

    def __post_init__(self) -> None:
        flags = 0 if self.case_sensitive else re.IGNORECASE
        pats = self.patterns if self.case_sensitive else tuple(p.casefold() for p in self.patterns)
        object.__setattr__(self, "_exact", frozenset(pats) if self.match == "exact" else frozenset())
        object.__setattr__(self, "_prefixes", pats if self.match == "prefix" else ())
        regexes = [re.compile(p, flags) for p in self.patterns] if self.match == "regex" else []
        object.__setattr__(self, "_regexes", tuple(regexes))

    def applies_to(self, source_path: str) -> bool:
        return not self.paths or any(fnmatch.fnmatch(source_path, g) for g in self.paths)

    def matches(self, line: str, folded: str, words: int | None = None) -> bool:
        """`line` is the raw line; `folded` its normalise_line() form; `words` its word count
        (len(folded.split())) when the caller has it."""
        if self.max_words is not None:
            if words is None:
                words = len(folded.split())
            if words > self.max_words:
                return False
        key = folded if not self.case_sensitive else " ".join(line.strip(_DECORATION).split())
        if self.match == "exact":
            return key in self._exact or key.rstrip(".:!") in self._exact  # type: ignore[attr-defined]
        if self.match == "prefix":
            return key.startswith(self._prefixes)  # type: ignore[attr-defined]
        return any(rx.search(key) for rx in self._regexes)  # type: ignore[attr-defined]


_BACKREF = re.compile(r"\\\d|\(\?P=")


def _combinable(rule: Rule) -> bool:
    if rule.case_sensitive:
        return False
    if rule.match != "regex":
        return True
    for pattern in rule.patterns:
        if _BACKREF.search(pattern):
            return False  # group numbers shift inside an alternation
        try:
            re.compile(f"x|(?:{pattern})")  # global inline flags, e.g. (?s), must start a pattern
        except re.error:
            return False
    return True


def _top_level_bar(pattern: str) -> bool:
    """Whether `pattern` has a | outside groups and classes (then a leading ^ anchors one branch)."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 2 if pattern[i + 1 : i + 2] == "]" else 3 if pattern[i + 1 : i + 3] == "^]" else 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


class Matcher:
    """The first rule, in order, that names a line, found fast.

    Most lines are prose that no rule names. One test rules them out: the line is longer than any
    rule allows, or it is in no exact list, starts with no prefix and matches neither combined
    regex (the patterns anchored with ^ as one alternation tried at the line's start, the others
    as one alternation searched along it: 2-3x faster than a search per pattern). Only the few
    lines that pass are tried rule by rule, so the first rule in order still wins. Case-sensitive
    rules, and patterns that cannot join an alternation (back-references), are tried one by one.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        exact: set[str] = set()
        prefixes: list[str] = []
        anchored: list[str] = []  # patterns that start with ^: one alternation tried at the start only
        loose: list[str] = []  # the others: one alternation searched along the line
        always: list[Rule] = []
        limit = loose_limit = 0.0  # most words a line may have and still match any rule / a loose pattern
        for rule in self.rules:
            if not _combinable(rule):
                always.append(rule)
                continue
            if rule.match == "exact":
                exact |= rule._exact  # type: ignore[attr-defined]
                longest = max((len(p.split()) for p in rule._exact), default=0)  # type: ignore[attr-defined]
                limit = max(limit, longest if rule.max_words is None else min(longest, rule.max_words))
                continue
            words = float("inf") if rule.max_words is None else rule.max_words
            limit = max(limit, words)
            if rule.match == "prefix":
                prefixes.extend(rule._prefixes)  # type: ignore[attr-defined]
            else:
                for p in rule.patterns:
                    if p.startswith("^") and not _top_level_bar(p):
                        anchored.append(f"(?:{p[1:]})")
                    else:
                        loose.append(f"(?:{p})")
                        loose_limit = max(loose_limit, words)
        self._exact = frozenset(exact)
        self._prefixes = tuple(prefixes)
        self._always = tuple(always)
        self._limit = limit
        self._loose_limit = loose_limit
        try:
            self._anchored = re.compile("|".join(anchored), re.IGNORECASE) if anchored else None
            self._loose = re.compile("|".join(loose), re.IGNORECASE) if loose else None
        except re.error:  # e.g. two rules name a group alike: every line is tried rule by rule
            self._anchored, self._loose, self._always, self._limit = None, None, self.rules, -1.0

    def _maybe(self, folded: str, words: int) -> bool:
        if words > self._limit:
            return False
        if folded in self._exact or folded.rstrip(".:!") in self._exact:
            return True
        if self._prefixes and folded.startswith(self._prefixes):
            return True
        if self._anchored is not None and self._anchored.match(folded):
            return True
        if self._loose is None or words > self._loose_limit:
            return False
        return self._loose.search(folded) is not None

    def first(self, line: str, folded: str) -> Rule | None:
        """The first rule that names `line` (`folded` is its normalise_line() form), or None."""
        words = len(folded.split())
        pool = self.rules if self._maybe(folded, words) else self._always
        for rule in pool:
            if rule.matches(line, folded, words):
                return rule
        return None


_matchers: dict[tuple[int, ...], Matcher] = {}


def matcher(rules: Sequence[Rule]) -> Matcher:
    """The Matcher for these rules, built once per distinct rule list (it keeps them alive, so
    their ids stay theirs)."""
    key = tuple(map(id, rules))
    found = _matchers.get(key)
    if found is None:
        if len(_matchers) > 256:  # rule lists vary only with path-filtered packs: a few per run
            _matchers.clear()
        found = _matchers[key] = Matcher(rules)
    return found


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    version: str  # content hash of every pack: recorded with each run

    def for_source(self, source_path: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.applies_to(source_path))


def _parse_pack(text: str, origin: str) -> list[Rule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"rule pack {origin}: {exc}") from exc
    pack = data.get("pack", {})
    pack_id = str(pack.get("id", Path(origin).stem))
    paths = tuple(pack.get("paths", ()))
    rules = []
    for entry in data.get("rule", []):
        try:
            rule = Rule(
                id=entry["id"],
                category=entry["category"],
                match=entry["match"],
                patterns=tuple(entry["patterns"]),
                where=entry.get("where", "anywhere"),
                max_words=entry.get("max_words"),
                case_sensitive=bool(entry.get("case_sensitive", False)),
                note=entry.get("note", ""),
                pack=pack_id,
                paths=tuple(entry.get("paths", paths)),
            )
        except (KeyError, re.error) as exc:
            raise ConfigError(f"rule pack {origin}: rule {entry.get('id')!r}: {exc}") from exc
        if rule.category not in CATEGORIES:
            raise ConfigError(f"rule {rule.id}: unknown category {rule.category!r}")
        if rule.match not in MATCH_KINDS or rule.where not in WHERE:
            raise ConfigError(f"rule {rule.id}: bad match {rule.match!r} or where {rule.where!r}")
        rules.append(rule)
    return rules


def load_rules(extra_dirs: tuple[str, ...] = ()) -> RuleSet:
    """Built-in packs (publisher packs first, the generic pack last) plus packs in extra_dirs."""
    texts: list[tuple[str, str]] = []
    builtin = resources.files("winnow.rules")
    for item in sorted(builtin.iterdir(), key=lambda p: (p.name == "generic.toml", p.name)):
        if item.name.endswith(".toml"):
            texts.append((item.name, item.read_text("utf-8")))
    for folder in extra_dirs:
        for path in sorted(Path(folder).glob("*.toml")):
            texts.append((str(path), path.read_text("utf-8")))
    rules: list[Rule] = []
    seen: set[str] = set()
    digest = hashlib.sha256()
    for origin, text in texts:
        digest.update(text.encode())
        for rule in _parse_pack(text, origin):
            if rule.id in seen:
                raise ConfigError(f"duplicate rule id {rule.id!r} in {origin}")
            seen.add(rule.id)
            rules.append(rule)
    return RuleSet(tuple(rules), digest.hexdigest()[:12])


@cache
def default_rules() -> RuleSet:
    return load_rules()
