"""Settings: TOML round trip, environment overrides, and bad files that must never stop the booth."""

from __future__ import annotations

from photobooth.config import Config, default_config_path, load_config, save_config


def test_defaults_without_a_file(tmp_path):
    config, problems = load_config(tmp_path / "missing.toml", environ={})
    assert problems == []
    assert config.backend.url == "" and config.booth.ages == (25, 35, 55, 75)


def test_round_trip(tmp_path):
    config = Config(path=tmp_path / "booth.toml")
    config.backend.url, config.backend.api_key = "https://booth.example/prod", "k3y"
    config.booth.ages = (10, 80)
    config.booth.camera = "/dev/video2"
    config.booth.countdown_seconds = 5
    config.booth.idle_timeout_seconds = 12.5
    config.booth.language = "de"
    save_config(config)
    loaded, problems = load_config(tmp_path / "booth.toml", environ={})
    assert problems == []
    assert loaded.to_toml() == config.to_toml()


def test_environment_wins(tmp_path):
    path = tmp_path / "booth.toml"
    path.write_text('[backend]\nurl = "https://file.example"\n[booth]\nages = [20, 30]\n')
    config, problems = load_config(
        path,
        environ={
            "TIME_TRAVELER_BACKEND_URL": "https://env.example",
            "TIME_TRAVELER_AGES": "40,50,60",
            "TIME_TRAVELER_COUNTDOWN": "2",
        },
    )
    assert problems == []
    assert config.backend.url == "https://env.example"
    assert config.booth.ages == (40, 50, 60)
    assert config.booth.countdown_seconds == 2


def test_broken_toml_gives_defaults_and_a_message(tmp_path):
    path = tmp_path / "booth.toml"
    path.write_text("[backend\nurl = ")
    config, problems = load_config(path, environ={})
    assert config.to_toml() == Config().to_toml()
    assert len(problems) == 1 and "could not be read" in problems[0]


def test_bad_values_are_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "booth.toml"
    path.write_text(
        '[booth]\nages = [25, 500]\ncountdown_seconds = "soon"\ncamera = "1"\nshoe_size = 9\n'
        '[backend]\nretries = -1\nengine = "sma"\n'
    )
    config, problems = load_config(path, environ={})
    assert config.booth.camera == "1"
    assert config.booth.ages == (25, 35, 55, 75) and config.booth.countdown_seconds == 3
    assert config.backend.retries == 4 and config.backend.engine == "auto"
    joined = " | ".join(problems)
    assert (
        "booth.ages" in joined
        and "countdown_seconds" in joined
        and "shoe_size" in joined
        and "retries" in joined
        and "'sma' is no engine; choose one of auto, sam, classic" in joined
    )


def test_default_path_is_in_the_platform_config_folder():
    path = default_config_path()
    assert path.name == "booth.toml" and "time-traveler" in str(path)


def test_old_tt_prefix_still_reads_and_the_new_one_wins(tmp_path):
    config, problems = load_config(tmp_path / "missing.toml", environ={"TT_CAMERA": "2", "TT_LANGUAGE": "de"})
    assert problems == [] and config.booth.camera == "2" and config.booth.language == "de"
    config, _ = load_config(
        tmp_path / "missing.toml", environ={"TT_CAMERA": "2", "TIME_TRAVELER_CAMERA": "3"}
    )
    assert config.booth.camera == "3"
