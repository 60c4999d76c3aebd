"""The booth's settings: one TOML file in the platform config folder, overridden by environment variables.

A file that cannot be read or holds bad values never stops the booth: `load_config` returns the defaults
(or the good part of the file) together with a message for staff.

Why hand-written and not a typed settings library (pydantic-settings): the parser is ~40 lines over plain
dataclasses, and its one unusual rule (a bad value keeps that field's default and becomes a line for staff,
the rest of the file still applies) would need as much code again around a library that rejects the whole
model on the first error; the library would also add pydantic and its compiled core to the kiosk bundle.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
import tomli_w

from booth_core.ages import DEFAULT_AGES, parse_ages, validate_ages
from booth_core.environment import PREFIX, env_value, variable
from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S
from inference_container.engine.registry import engine_choices

APP_NAME = "time-traveler"
#: The PIN a fresh install starts with; settings refuse to close until staff have chosen another.
DEFAULT_STAFF_PIN = "2468"
#: A staff PIN: only digits (the PIN pad has no letters), at least this many.
MIN_PIN_DIGITS = 4
CONFIG_NAME = "booth.toml"

#: Environment variable -> (section, key). Environment wins over the file.
ENVIRONMENT = {
    variable("BACKEND_URL"): ("backend", "url"),
    variable("API_KEY"): ("backend", "api_key"),
    variable("AGES"): ("booth", "ages"),
    variable("CAMERA"): ("booth", "camera"),
    variable("COUNTDOWN"): ("booth", "countdown_seconds"),
    variable("IDLE_TIMEOUT"): ("booth", "idle_timeout_seconds"),
    variable("OUTPUT_DIR"): ("booth", "output_dir"),
    variable("LANGUAGE"): ("booth", "language"),
    variable("STAFF_PIN"): ("booth", "staff_pin"),
    variable("SHARE_HOST"): ("backend", "share_host"),
    variable("SHARE_PORT"): ("backend", "share_port"),
    variable("PRINTER"): ("booth", "printer_name"),
}


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_NAME


def default_output_dir() -> str:
    return str(Path(platformdirs.user_pictures_dir()) / "Time Traveler")


@dataclass
class BackendConfig:
    """Where jobs go. An empty url means: start the local job service inside the booth."""

    url: str = ""
    api_key: str = ""
    engine: str = "auto"  # only for the local job service
    request_timeout_seconds: float = 15.0
    job_timeout_seconds: float = float(JOB_TIMEOUT_S)
    retries: int = 4
    retry_first_wait_seconds: float = 0.5
    local_output_size: int = 0  # local engine frame size in pixels; 0: the engine's default
    local_data_dir: str = ""  # where the local job service keeps jobs; empty: the platform data folder
    local_in_process: bool = False  # true: run it in the app's process (simpler, but the screen stutters)
    health_check_seconds: float = 2.0  # how often the booth asks /health (and restarts a dead local service)
    share_host: str = ""  # local service: serve share pages to phones on this address (venue Wi-Fi); "" off
    share_port: int = 8080


@dataclass
class BoothConfig:
    """What staff can change on the settings screen, plus timings tests shorten."""

    ages: tuple[int, ...] = DEFAULT_AGES
    camera: str = "0"
    countdown_seconds: int = 3
    idle_timeout_seconds: float = 45.0
    review_seconds: float = 6.0
    error_seconds: float = 8.0
    output_dir: str = field(default_factory=default_output_dir)
    language: str = "en"
    staff_pin: str = DEFAULT_STAFF_PIN  # the booth makes staff replace it before anything else
    retention_hours: float = float(DEFAULT_RETENTION_HOURS)
    out_of_order_seconds: float = 20.0  # camera or backend down this long: "out of order" replaces attract
    print_enabled: bool = False  # staff turn the Print button on
    printer_name: str = ""  # a CUPS queue; "" prints to PDF files under output_dir/prints (to check the layout)
    print_copies: int = 1  # prints per attendee
    print_caption: str = ""  # the event's name on top of the print
    print_logo: str = ""  # an image file printed at the bottom
    slideshow: bool = False  # recent results on the attract screen (off: attendees' faces stay private)


@dataclass
class Config:
    backend: BackendConfig = field(default_factory=BackendConfig)
    booth: BoothConfig = field(default_factory=BoothConfig)
    path: Path | None = None

    def to_toml(self) -> dict:
        booth = dataclasses.asdict(self.booth)
        booth["ages"] = list(self.booth.ages)
        return {"backend": dataclasses.asdict(self.backend), "booth": booth}


def _coerce(section: object, key: str, value):
    """Turn a TOML or environment value into the field's type; ValueError with the key's name if it can't."""
    current = getattr(section, key)
    try:
        if key == "ages":
            return parse_ages(value) if isinstance(value, str) else validate_ages(value)
        if key == "engine" and str(value) not in engine_choices():
            raise ValueError(f"{value!r} is no engine; choose one of {', '.join(engine_choices())}")
        if isinstance(current, bool):
            return bool(value)
        if isinstance(current, int):
            number = int(value)
            if number < 0:
                raise ValueError("must not be negative")
            return number
        if isinstance(current, float):
            number = float(value)
            if number < 0:
                raise ValueError("must not be negative")
            return number
        if isinstance(value, (dict, list)):
            raise ValueError("expected a single value")
        return str(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{key}: {error}") from None


def _apply(config: Config, data: dict, problems: list[str]) -> None:
    for section_name in ("backend", "booth"):
        values = data.get(section_name, {})
        if not isinstance(values, dict):
            problems.append(f"[{section_name}] must be a table")
            continue
        section = getattr(config, section_name)
        for key, value in values.items():
            if not hasattr(section, key):
                problems.append(f"unknown setting {section_name}.{key}")
                continue
            try:
                setattr(section, key, _coerce(section, key, value))
            except ValueError as error:
                problems.append(f"{section_name}.{error}")


def load_config(path: Path | str | None = None, environ: dict | None = None) -> tuple[Config, list[str]]:
    """Read the TOML file (if any) and the environment; return the config and a list of problems found."""
    path = Path(path) if path else default_config_path()
    environ = os.environ if environ is None else environ
    config = Config(path=path)
    problems: list[str] = []
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            problems.append(f"{path} could not be read ({error}); using defaults")
        else:
            _apply(config, data, problems)
    overrides: dict[str, dict] = {}
    for name, (section, key) in ENVIRONMENT.items():
        value = env_value(name.removeprefix(PREFIX), environ)
        if value is not None:
            overrides.setdefault(section, {})[key] = value
    _apply(config, overrides, problems)
    return config, problems


def save_config(config: Config, path: Path | str | None = None) -> Path:
    """Write the whole config as TOML (atomically: a crash mid-write never leaves half a file)."""
    path = Path(path or config.path or default_config_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".toml.tmp")
    temporary.write_bytes(tomli_w.dumps(config.to_toml()).encode("utf-8"))
    os.replace(temporary, path)
    return path
