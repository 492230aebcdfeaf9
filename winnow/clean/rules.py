"""Rule packs: boilerplate rules as data (TOML), loaded and compiled once."""

from __future__ import annotations

import fnmatch
import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from winnow.clean.patterns import required_chars
from winnow.errors import ConfigError

CATEGORIES = frozenset(
    {"ad", "ui", "promo", "social", "newsletter", "related", "legal", "navigation", "learned", "caption"}
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
        # characters every match holds (patterns.required_chars): a line without them is not tried
        needs = [tuple(sorted(required_chars(p, flags))) for p in self.patterns] if regexes else []
        tests = tuple((rx.search, need) for rx, need in zip(regexes, needs, strict=True))
        object.__setattr__(self, "_tests", tests)

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
        for search, need in self._tests:  # type: ignore[attr-defined]
            for ch in need:
                if ch not in key:
                    break  # a character every match holds is missing: this pattern cannot match
            else:
                if search(key) is not None:
                    return True
        return False


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    version: str  # content hash of every pack: recorded with each run
    disabled: tuple[str, ...] = ()  # rule ids the user's packs switched off
    folders: tuple[str, ...] = ()  # the user's rule folders loaded after the built-in packs

    def for_source(self, source_path: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.applies_to(source_path))


def _parse_pack(text: str, origin: str) -> tuple[list[Rule], tuple[str, ...]]:
    """The rules of one pack, and the ids of rules it switches off (`disable = [...]`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"rule pack {origin}: {exc}", path=origin) from exc
    pack = data.get("pack", {})
    pack_id = str(pack.get("id", Path(origin).stem))
    paths = tuple(pack.get("paths", ()))
    disable = data.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise ConfigError(f"rule pack {origin}: disable must be a list of rule ids", path=origin)
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
    return rules, tuple(disable)


def load_rules(extra_dirs: tuple[str, ...] = ()) -> RuleSet:
    """Built-in packs (publisher packs first, the generic pack last), then the packs (*.toml) in
    each of `extra_dirs` in name order. A pack may switch off any rule loaded before or after it by
    id (`disable = ["ui.share"]`); an id disabled that no pack defines is a clear error."""
    texts: list[tuple[str, str]] = []
    builtin = resources.files("winnow.clean.packs")
    for item in sorted(builtin.iterdir(), key=lambda p: (p.name == "generic.toml", p.name)):
        if item.name.endswith(".toml"):
            texts.append((item.name, item.read_text("utf-8")))
    for folder in extra_dirs:
        for path in sorted(Path(folder).glob("*.toml")):
            try:
                texts.append((str(path), path.read_text("utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"rule pack {path}: cannot read it: {exc}", path=path) from exc
    rules: list[Rule] = []
    disabled: dict[str, str] = {}  # rule id -> the pack that switched it off
    seen: set[str] = set()
    digest = hashlib.sha256()
    for origin, text in texts:
        digest.update(text.encode())
        pack_rules, pack_disable = _parse_pack(text, origin)
        for rule in pack_rules:
            if rule.id in seen:
                raise ConfigError(
                    f"duplicate rule id {rule.id!r} in {origin}: give it a new id, or switch the other "
                    f"off with disable = [{rule.id!r}]",
                    path=origin,
                )
            seen.add(rule.id)
            rules.append(rule)
        disabled.update(dict.fromkeys(pack_disable, origin))
    unknown = sorted(set(disabled) - seen)
    if unknown:
        raise ConfigError(f"rule pack {disabled[unknown[0]]} disables {unknown[0]!r}, which no pack defines")
    kept = tuple(r for r in rules if r.id not in disabled)
    return RuleSet(kept, digest.hexdigest()[:12], tuple(sorted(disabled)), tuple(extra_dirs))


def rules_for(rules_dir: str | Path | None) -> RuleSet:
    """The built-in rules plus the user's packs in `rules_dir` (none if it is empty or missing).
    Loaded once per process for the same pack files: a long-lived process (`winnow watch`,
    `winnow serve`) sees a pack edited between runs."""
    folder = Path(rules_dir) if rules_dir else None
    if folder is None or not folder.is_dir():
        return default_rules()
    state = tuple(
        (p.name, st.st_size, st.st_mtime_ns) for p in sorted(folder.glob("*.toml")) for st in [p.stat()]
    )
    return _user_rules(str(folder), state)


@lru_cache(maxsize=8)
def _user_rules(folder: str, state: tuple[tuple[str, int, int], ...]) -> RuleSet:
    return load_rules((folder,)) if state else default_rules()


@cache
def default_rules() -> RuleSet:
    return load_rules()
