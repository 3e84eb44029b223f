"""A term's late policy as arithmetic: due dates, grace, penalties, late days and extensions.

Pure functions over aware datetimes, compared in UTC. A submission within the grace period
after its due date is on time; past it, lateness counts from the due date. A late day moves
the due date 24 hours later. The penalty is a percentage of the raw score:

- ``per_day`` / ``per_hour``: ``late_percent`` for every day (hour) started;
- ``tiers``: ``[[hours, percent], ...]``, the first tier whose ``hours`` the lateness does not
  exceed; later than the last tier earns no credit;
- ``none``: no penalty;

then capped at ``max_penalty_percent``; later than ``no_credit_after_hours``, no credit at all.
"""
import csv
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = timedelta(days=1)
RULES = ("per_day", "per_hour", "tiers", "none")
# What [term] and an assignment may set, with the course-wide defaults
DEFAULTS = {"timezone": "UTC", "grace_minutes": 0, "late_policy": "none", "late_percent": 0, "tiers": [],
            "max_penalty_percent": 100, "no_credit_after_hours": None}
TERM_ONLY = {"late_days": 0, "extensions": None}


class PolicyError(ValueError):
    """A malformed policy, time or extensions row; the message names where and the fix."""


@dataclass(frozen=True)
class Policy:
    due: datetime = None  # aware; None: the assignment has no due date (nothing is late)
    zone: str = "UTC"
    grace: timedelta = timedelta(0)
    rule: str = "none"
    percent: float = 0.0
    tiers: tuple = ()  # ((hours, percent), ...) by hours
    cap: float = 100.0
    no_credit_after: float = None  # hours

    def describe(self):
        """The rule in words, for feedback."""
        rule = {"per_day": f"{self.percent:g}% off per day started",
                "per_hour": f"{self.percent:g}% off per hour started",
                "tiers": "; ".join(f"up to {h:g} h late: {p:g}% off" for h, p in self.tiers)
                         + ("; later: no credit" if self.tiers else ""),
                "none": "no penalty for lateness"}[self.rule]
        parts = [rule]
        if self.rule != "none" and self.cap < 100:
            parts.append(f"at most {self.cap:g}% off")
        if self.no_credit_after is not None:
            parts.append(f"no credit later than {self.no_credit_after:g} h")
        if self.grace:
            parts.append(f"a grace period of {self.grace.total_seconds() / 60:g} minutes")
        return ", ".join(parts)


def zone(name, where):
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(f"{where}: unknown time zone {name!r}; use an IANA name such as "
                          f"'Europe/Berlin', 'America/New_York' or 'UTC'") from None


def parse_time(text, tz, where):
    """A UTC datetime from ``text``: ISO 8601 with an offset or ``Z``, a trailing zone name
    (nbgrader's ``2026-09-15 21:59:00.123456 UTC``), or a local time in ``tz`` (a ZoneInfo).
    A local time that does not exist (clocks jump forward) is an error; one that happens twice
    (clocks fall back) is the earlier."""
    text = str(text).strip()
    head, _, last = text.rpartition(" ")
    if head[:1].isdigit() and last[:1].isalpha() and last not in ("AM", "PM"):
        text, tz = head, zone(last, where)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise PolicyError(f"{where}: {text!r} is not a date and time; write it as "
                          f"'2026-09-15 23:59' (local time) or '2026-09-15T21:59:00Z' (UTC)") from None
    if when.tzinfo is not None:
        return when.astimezone(timezone.utc)
    # in UTC from here on: adding a day to a local time would add 23 or 25 hours across a DST change
    utc = when.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)
    if utc.astimezone(tz).replace(tzinfo=None) != when:
        raise PolicyError(f"{where}: {text} does not exist in {tz.key} (the clocks jump forward "
                          f"that night); pick a time outside the skipped hour")
    return utc


def make_policy(settings, where):
    """A Policy from a dict of course.toml keys (the course-wide [term] merged with the
    assignment's own); ``where`` names the file and entry in errors."""
    s = {**DEFAULTS, **settings}
    tz = zone(s["timezone"], f"{where}, timezone")
    rule = s["late_policy"]
    if rule not in RULES:
        raise PolicyError(f"{where}: late_policy = {rule!r}; use one of {', '.join(RULES)}")
    for key in ("grace_minutes", "late_percent", "max_penalty_percent"):
        if not (isinstance(s[key], (int, float)) and s[key] >= 0):
            raise PolicyError(f"{where}: {key} = {s[key]!r}; it must be a number, 0 or more")
    if s["no_credit_after_hours"] is not None and not (isinstance(s["no_credit_after_hours"], (int, float))
                                                       and s["no_credit_after_hours"] >= 0):
        raise PolicyError(f"{where}: no_credit_after_hours must be a number of hours, 0 or more")
    try:
        tiers = tuple(sorted((float(h), float(p)) for h, p in s["tiers"]))
    except (TypeError, ValueError):
        raise PolicyError(f"{where}: tiers = {s['tiers']!r}; write [[hours, percent], ...], e.g. "
                          f"[[24, 10], [72, 30]]") from None
    if rule == "tiers" and not tiers:
        raise PolicyError(f"{where}: late_policy = 'tiers' needs tiers = [[hours, percent], ...]")
    due = parse_time(s["due"], tz, f"{where}, due") if s.get("due") is not None else None
    return Policy(due, tz.key, timedelta(minutes=s["grace_minutes"]), rule, float(s["late_percent"]), tiers,
                  float(s["max_penalty_percent"]),
                  None if s["no_credit_after_hours"] is None else float(s["no_credit_after_hours"]))


def lateness(policy, submitted, due=None):
    """How late ``submitted`` is after ``due`` (default: the policy's), as a timedelta; zero
    when on time or within the grace period."""
    late = submitted.astimezone(timezone.utc) - (due or policy.due).astimezone(timezone.utc)
    return late if late > policy.grace else timedelta(0)


def penalty_percent(policy, late):
    """The percentage of the raw score lost for ``late`` (a timedelta past the due date)."""
    if late <= timedelta(0):
        return 0.0
    hours = late.total_seconds() / 3600
    if policy.no_credit_after is not None and hours > policy.no_credit_after:
        return 100.0
    if policy.rule == "per_day":
        percent = math.ceil(late / DAY) * policy.percent
    elif policy.rule == "per_hour":
        percent = math.ceil(hours) * policy.percent
    elif policy.rule == "tiers":
        percent = next((p for h, p in policy.tiers if hours <= h), None)
        if percent is None:  # later than the last tier
            return 100.0
    else:
        percent = 0.0
    return min(100.0, percent, policy.cap)


def savings(policy, submitted, due, raw, budget):
    """[points saved by spending k late days on a raw score ``raw``, for k = 0 up to the days
    that make it on time, at most ``budget``]."""
    late = lateness(policy, submitted, due)
    needed = min(budget, math.ceil(late / DAY)) if late > timedelta(0) else 0
    before = penalty_percent(policy, late)
    return [round(raw * (before - penalty_percent(policy, lateness(policy, submitted, due + k * DAY))) / 100, 9)
            for k in range(needed + 1)]


def allocate(items, budget):
    """Late days per assignment: ``items`` is [(assignment, [points saved with k days, k=0..])]
    in term order. Spends at most ``budget`` days where they save the most points in total;
    among equal totals, the fewest days; among those, the earliest assignments first.
    Deterministic: the same items give the same answer. Returns {assignment: days}."""
    n = len(items)
    # best[i][b]: the best (points saved, -days spent) from assignment i on, with b days left
    best = [[(0.0, 0)] * (budget + 1) for _ in range(n + 1)]

    def spend(i, b, k):  # k days on assignment i, the rest spent best on the later ones
        return round(items[i][1][k] + best[i + 1][b - k][0], 9), best[i + 1][b - k][1] - k

    choices = lambda i, b: range(min(b, len(items[i][1]) - 1) + 1)
    for i in range(n - 1, -1, -1):
        for b in range(budget + 1):
            best[i][b] = max(spend(i, b, k) for k in choices(i, b))
    out, left = {}, budget
    for i, (name, _) in enumerate(items):
        k = max(k for k in choices(i, left) if spend(i, left, k) == best[i][left])  # ties: spend here, earlier
        out[name], left = k, left - k
    return out


@dataclass(frozen=True)
class Extension:
    due: datetime = None  # a new due date, or
    extra: timedelta = timedelta(0)  # time added to the assignment's
    reason: str = ""
    where: str = ""  # file:line

    def apply(self, due):
        return self.due or due + self.extra


EXTENSION_COLUMNS = ("student", "assignment", "new_due", "extra_days", "reason")


def read_extensions(path, tz, assignments, students=None):
    """{(student, assignment): Extension} from the extensions CSV (columns student, assignment,
    new_due or extra_days, reason). ``students``: the known ids, or None to accept any."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = {"student", "assignment"} - set(reader.fieldnames or ())
        if missing or not {"new_due", "extra_days"} & set(reader.fieldnames or ()):
            raise PolicyError(f"{path}, line 1: the header must name the columns "
                              f"{', '.join(EXTENSION_COLUMNS)} (new_due or extra_days, or both)")
        out = {}
        for row in reader:
            where = f"{path}, line {reader.line_num}"
            student, aid = (row.get("student") or "").strip(), (row.get("assignment") or "").strip()
            if aid not in assignments:
                raise PolicyError(f"{where}: unknown assignment {aid!r}; use one of {', '.join(assignments)}")
            if students is not None and student not in students:
                raise PolicyError(f"{where}: unknown student {student!r} (not among the submissions or the "
                                  f"grades); fix the id, or remove the row")
            new_due, extra = (row.get("new_due") or "").strip(), (row.get("extra_days") or "").strip()
            if bool(new_due) == bool(extra):
                raise PolicyError(f"{where}: give either new_due (a date and time) or extra_days (a number), "
                                  f"not {'both' if new_due else 'neither'}")
            if (student, aid) in out:
                raise PolicyError(f"{where}: a second extension for {student} on {aid} "
                                  f"(the first is on {out[student, aid].where}); keep one row")
            try:
                days = float(extra) if extra else 0.0
            except ValueError:
                raise PolicyError(f"{where}: extra_days = {extra!r}; write a number of days, e.g. 2 or 0.5") from None
            out[student, aid] = Extension(parse_time(new_due, tz, f"{where}, new_due") if new_due else None,
                                          timedelta(days=days), (row.get("reason") or "").strip(), where)
    return out


@dataclass
class Late:
    """One submission's lateness and penalty: what grades.csv, the gradebook and the feedback show."""
    raw: float
    submitted: datetime = None  # None: unknown
    source: str = ""  # where the time came from
    due: datetime = None  # after any extension
    extension: Extension = None
    late: timedelta = timedelta(0)  # past the due date (and grace), before late days
    late_days: int = 0
    percent: float = 0.0
    known: bool = True  # False: the time is unknown; nothing was deducted
    notes: list = field(default_factory=list)

    @property
    def penalty(self):
        return round(self.raw * self.percent / 100, 6)

    @property
    def final(self):
        return round(self.raw - self.penalty, 6)

    def reason(self):
        """One line for grades.csv."""
        if not self.known:
            return "submission time unknown: no penalty applied"
        parts = []
        if self.late > timedelta(0):
            parts.append(f"{self.late.total_seconds() / 3600:.2f} h late")
        if self.late_days:
            parts.append(f"{self.late_days} late day{'s' if self.late_days > 1 else ''} used")
        if self.extension:
            parts.append("extension applied" + (f" ({self.extension.reason})" if self.extension.reason else ""))
        if self.percent:
            parts.append(f"{self.percent:g}% off")
        return "; ".join(parts) or "on time"


def assess(policy, raw, submitted, extension=None, late_days=0):
    """The Late of a raw score submitted at ``submitted`` (None: unknown) with ``late_days`` spent."""
    due = extension.apply(policy.due) if extension else policy.due
    if submitted is None:
        return Late(raw, None, "", due, extension, known=False)
    late = lateness(policy, submitted, due)
    after = lateness(policy, submitted, due + late_days * DAY)
    return Late(raw, submitted, "", due, extension, late, late_days, penalty_percent(policy, after))
