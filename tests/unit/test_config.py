from __future__ import annotations

import pytest

from sumapi.config import MAX_WORKERS, Config, ConfigError
from sumapi.cpus import available_cpus


def test_defaults_without_environment() -> None:
    config = Config.from_env({})
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.drain_seconds == 5.0
    assert config.shutdown_timeout_seconds == 15.0
    assert config.max_body_bytes == 16 * 1024
    assert config.workers == min(available_cpus(), MAX_WORKERS)


def test_values_are_read_and_normalised() -> None:
    config = Config.from_env(
        {
            "SUMAPI_HOST": "0.0.0.0",
            "SUMAPI_PORT": "9000",
            "SUMAPI_DRAIN_SECONDS": "0.5",
            "SUMAPI_SHUTDOWN_TIMEOUT_SECONDS": "30",
            "SUMAPI_LOG_LEVEL": "debug",
            "SUMAPI_COMMIT": "0123abc",
            "SUMAPI_EVENT_LOOP": "AsyncIO",
            "SUMAPI_WORKERS": "3",
        }
    )
    assert config.host == "0.0.0.0"
    assert config.port == 9000
    assert config.drain_seconds == 0.5
    assert config.shutdown_timeout_seconds == 30
    assert config.log_level == "DEBUG"
    assert config.commit == "0123abc"
    assert config.event_loop == "asyncio"
    assert config.workers == 3


def test_workers_auto_is_the_cpus_the_process_may_use() -> None:
    assert Config.from_env({"SUMAPI_WORKERS": "AUTO"}).workers == available_cpus()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SUMAPI_PORT", "http"),
        ("SUMAPI_PORT", "0"),
        ("SUMAPI_PORT", "70000"),
        ("SUMAPI_DRAIN_SECONDS", "-1"),
        ("SUMAPI_DRAIN_SECONDS", "nan"),
        ("SUMAPI_SHUTDOWN_TIMEOUT_SECONDS", "forever"),
        ("SUMAPI_LOG_LEVEL", "LOUD"),
        ("SUMAPI_EVENT_LOOP", "trio"),
        ("SUMAPI_HOST", "bad host;"),
        ("SUMAPI_MAX_BODY_BYTES", "1"),
        ("SUMAPI_VERSION", 'v1"} evil'),
        ("SUMAPI_WORKERS", "0"),
        ("SUMAPI_WORKERS", "-2"),
        ("SUMAPI_WORKERS", "65"),
        ("SUMAPI_WORKERS", "two"),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Config.from_env({name: value})
