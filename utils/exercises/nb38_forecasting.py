"""Exercises of notebook 38 (time-series forecasting): the seasonal-naive forecast, MAE and MAPE, input/target windows."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from utils.checks import FAIL, Case, Mistake, Result, evaluate_function, guarded, printer
from utils.sequences import forecasting

# ---------------------------------------------------------------------------------------------
# Exercise 1: the seasonal-naive forecast
# ---------------------------------------------------------------------------------------------


def _seasonal_naive(history: Any, horizon: int, season: int = forecasting.SEASON) -> np.ndarray:
    return forecasting.seasonal_naive_forecast(history, horizon, season)


def _with_lag(lag_shift: int) -> Callable[..., np.ndarray]:
    """A forecast that repeats the values one season plus ``lag_shift`` steps back (a model of an off-by-one)."""

    def forecast(history: Any, horizon: int, season: int = forecasting.SEASON) -> np.ndarray:
        y = np.asarray(history, dtype=np.float64)
        lag = season + lag_shift
        return y[len(y) - lag + np.arange(horizon) % lag]

    return forecast


def _shifted_in_season(shift: int) -> Callable[..., np.ndarray]:
    """The last season read one position too early (-1) or too late (+1): another off-by-one."""

    def forecast(history: Any, horizon: int, season: int = forecasting.SEASON) -> np.ndarray:
        y = np.asarray(history, dtype=np.float64)
        if shift < 0:
            return y[len(y) - season - 1 + np.arange(horizon) % season]
        return y[len(y) - season + (np.arange(horizon) + shift) % season]

    return forecast


def _last_season_cut(history: Any, horizon: int, season: int = forecasting.SEASON) -> np.ndarray:
    return np.asarray(history, dtype=np.float64)[-season:][:horizon]


def _last_season_reversed(history: Any, horizon: int, season: int = forecasting.SEASON) -> np.ndarray:
    last = np.asarray(history, dtype=np.float64)[-season:][::-1]
    return last[np.arange(horizon) % season]


def _first_season(history: Any, horizon: int, season: int = forecasting.SEASON) -> np.ndarray:
    return np.asarray(history, dtype=np.float64)[np.arange(horizon) % season]


def _seasonal_history(length: int, season: int, seed: int) -> np.ndarray:
    """A rising series with a clear season and some noise: no two months of it are alike."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return 300 + 0.15 * t + 3 * np.sin(2 * np.pi * t / season) + rng.normal(0, 0.3, length).round(2)


@guarded
def evaluate_seasonal_naive(seasonal_naive: Callable[..., Any]) -> Result:
    """Evaluate ``seasonal_naive(history, horizon, season=12)``: each future value is the value one season earlier."""
    cases = [
        Case((_seasonal_history(30, 12, 0), 15), {"season": 12}),
        Case((_seasonal_history(40, 12, 1), 12), {"season": 12}),
        Case((_seasonal_history(10, 4, 2), 6), {"season": 4}),
        Case((_seasonal_history(21, 7, 3), 3), {"season": 7}),
        Case((_seasonal_history(12, 12, 4), 24), {"season": 12}),
    ]
    mistakes = [
        Mistake("that repeats the LAST value (a lag of 1: the naive forecast). The seasonal-naive forecast "
                "of a month is the same month one season earlier: January from last January.",
                lambda history, horizon, season=12: forecasting.naive_forecast(history, horizon)),
        Mistake("off by one season step: you used the value season + 1 steps back. The first forecast "
                "(one step after the last value seen) repeats history[-season].", _with_lag(1)),
        Mistake("off by one season step: you used the value season - 1 steps back. The first forecast "
                "(one step after the last value seen) repeats history[-season].", _with_lag(-1)),
        Mistake("off by one step: the first forecast (one step after the last value seen) repeats "
                "history[-season], the value exactly one season before it; you started one step too early.",
                _shifted_in_season(-1)),
        Mistake("off by one step: the first forecast (one step after the last value seen) repeats "
                "history[-season], the value exactly one season before it; you started one step too late.",
                _shifted_in_season(1)),
        Mistake("when the horizon is longer than one season, start the last season over again: "
                "step h repeats the same position of the last season as step h - season.", _last_season_cut),
        Mistake("the last season is repeated in time order: the first forecast is the oldest value of "
                "the last season, not the most recent one.", _last_season_reversed),
        Mistake("repeat the LAST season of the history (the most recent one), not the first.", _first_season),
        Mistake("that is the mean of the last season (the moving-average forecast); the seasonal-naive "
                "forecast copies each value, so it keeps the seasonal shape.",
                lambda history, horizon, season=12: forecasting.moving_average_forecast(history, horizon,
                                                                                        season)),
    ]
    return evaluate_function(
        seasonal_naive, _seasonal_naive, cases, name="seasonal_naive", mistakes=mistakes, check_dtype=False,
        success="It is the baseline every seasonal forecaster must beat.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: MAE and MAPE
# ---------------------------------------------------------------------------------------------


def _errors(y_true: Any, y_pred: Any) -> tuple[float, float]:
    return forecasting.mae(y_true, y_pred), forecasting.mape(y_true, y_pred)


def _signed(y_true: Any, y_pred: Any) -> tuple[float, float]:
    truth, guess = np.asarray(y_true, float), np.asarray(y_pred, float)
    return float(np.mean(truth - guess)), float(100 * np.mean((truth - guess) / truth))


def _relative_to_forecast(y_true: Any, y_pred: Any) -> float:
    truth, guess = np.asarray(y_true, float), np.asarray(y_pred, float)
    return float(100 * np.mean(np.abs((truth - guess) / guess)))


@guarded
def evaluate_forecast_errors(forecast_errors: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``forecast_errors(y_true, y_pred)`` → (MAE, MAPE in percent)."""
    rng = np.random.default_rng(38)
    truth = np.array([[361.2, 362.0, 363.5], [359.8, 358.1, 356.9]])
    cases = [
        Case((truth, truth + np.array([[0.9, -1.4, 0.3], [-2.1, 0.6, 1.8]]))),
        Case((np.array([2.0, 4.0, 5.0, 10.0]), np.array([1.0, 5.0, 4.0, 12.0]))),
        Case((rng.uniform(50, 80, size=(4, 6)), rng.uniform(50, 80, size=(4, 6)))),
        Case((np.array([-3.0, 6.0, 12.0]), np.array([-2.0, 3.0, 15.0]))),
    ]
    mistakes = [
        Mistake("return both numbers, as the tuple (mae, mape).", lambda t, p: forecasting.mae(t, p)),
        Mistake("take the absolute value of each error before averaging: over- and under-forecasts must "
                "not cancel out.", _signed),
        Mistake("MAPE is in percent: multiply the mean absolute relative error by 100.",
                lambda t, p: (forecasting.mae(t, p), forecasting.mape(t, p) / 100)),
        Mistake("MAPE divides each absolute error by the TRUE value (y_true), not by the forecast.",
                lambda t, p: (forecasting.mae(t, p), _relative_to_forecast(t, p))),
        Mistake("that is the mean SQUARED error (or its root); the MAE averages absolute errors, in the "
                "units of the series.",
                lambda t, p: (float(np.mean((np.asarray(t) - np.asarray(p)) ** 2)), forecasting.mape(t, p))),
        Mistake("that is the root-mean-square error; the MAE averages absolute errors, in the units of the "
                "series.",
                lambda t, p: (float(np.sqrt(np.mean((np.asarray(t) - np.asarray(p)) ** 2))),
                              forecasting.mape(t, p))),
        Mistake("average the errors (divide by their number), do not just add them up.",
                lambda t, p: (float(np.sum(np.abs(np.asarray(t) - np.asarray(p)))),
                              100 * float(np.sum(np.abs((np.asarray(t) - np.asarray(p)) / np.asarray(t)))))),
    ]
    return evaluate_function(
        forecast_errors, _errors, cases, name="forecast_errors", mistakes=mistakes, check_dtype=False,
        success="MAE is in the series' units (ppm here), MAPE in percent of the true values.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: input and target windows
# ---------------------------------------------------------------------------------------------


def _split_pair(value: Any, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """The learner's (X, y) as two 2-D float arrays, or a ValueError saying what is wrong with them."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"make_windows must return a pair (X, y), got {type(value).__name__}"
                         + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""))
    arrays = []
    for name, part, width in (("X", value[0], window), ("y", value[1], horizon)):
        if hasattr(part, "numpy") and callable(part.numpy):
            part = part.numpy()
        try:
            array = np.asarray(part, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name} must be a rectangular array of numbers, one row per window with "
                             f"the same length each (near the end of the series, did a row come out "
                             f"shorter?); NumPy says: {str(error).split('.')[0]}") from None
        if array.ndim == 1 and width == 1:
            array = array[:, None]  # one value per window, as a flat array: fine
        if array.ndim == 3 and array.shape[2] == 1:
            array = array[..., 0]  # Keras's (windows, steps, 1) layout: fine
        if array.ndim != 2:
            raise ValueError(f"{name} must be 2-D (one row per window), got shape {array.shape}")
        arrays.append(array)
    return arrays[0], arrays[1]


def _encoded(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``make_windows`` and join X and y side by side, so one array holds the whole answer."""

    def run(series: Any, window: int, horizon: int) -> Any:
        value = function(series, window, horizon)
        if value is None or isinstance(value, (str, dict)):
            return value  # the engine explains a None or a wrong type
        X, y = _split_pair(value, window, horizon)
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}: each window needs its target")
        return np.concatenate([X, y], axis=1)

    return run


def _windows_reference(series: Any, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    return forecasting.make_windows(series, window, horizon)


def _windows_one_short(series: Any, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = forecasting.make_windows(series, window, horizon)
    return X[:-1], y[:-1]


def _windows_shifted_target(shift: int) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    def make(series: Any, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        s = np.asarray(series, dtype=np.float64)
        starts = np.arange(len(s) - window - horizon + 1)[:, None]
        return s[starts + np.arange(window)], s[np.clip(starts + window + shift + np.arange(horizon), 0, len(s) - 1)]

    return make


def _windows_stride(series: Any, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = forecasting.make_windows(series, window, horizon)
    return X[::window], y[::window]


@guarded
def evaluate_make_windows(make_windows: Callable[[Any, int, int], Any]) -> Result:
    """Evaluate ``make_windows(series, window, horizon)`` → (X, y): X[i] = series[i:i+window], y[i] = the next horizon values."""
    rng = np.random.default_rng(380)
    cases = [
        Case((np.round(np.linspace(1.0, 4.0, 13) ** 2, 3), 4, 3)),
        Case((rng.normal(size=20), 6, 2)),
        Case((np.arange(1.0, 11.0), 3, 1)),
        Case((rng.uniform(300, 370, size=40), 12, 12)),
    ]
    mistakes = [
        Mistake("you dropped the last window: the last window's targets end exactly at the series' last "
                "value, so it fits. Count the start positions that leave room for window + horizon values.",
                _encoded(_windows_one_short)),
        Mistake("wrong alignment: the targets start right AFTER the window (the first target is the value "
                "following X[i]'s last one), not at the window's last value.",
                _encoded(_windows_shifted_target(-1))),
        Mistake("wrong alignment: the first target is the value just after the window; you skipped one.",
                _encoded(_windows_shifted_target(1))),
        Mistake("the windows slide by ONE step (they overlap); you moved them a whole window at a time.",
                _encoded(_windows_stride)),
    ]
    result = evaluate_function(
        _encoded(make_windows), _encoded(_windows_reference), cases, name="make_windows", mistakes=mistakes,
        axes=("window", "X's columns then y's"),
        success="These are the training examples of a forecaster, one per start position.",
    )
    if result.passed or not result.message.startswith(FAIL):
        return result
    return replace(result, message=_in_windows(make_windows, cases, result.message))


def _in_windows(make_windows: Callable[[Any, int, int], Any], cases: list[Case], message: str) -> str:
    """The engine's message about the joined array, told about X and y: their shapes, or which one differs."""
    hint = message[message.index(" Hint: "):] if " Hint: " in message else ""
    for case in cases:
        series, window, horizon = case.args
        X_expected, y_expected = forecasting.make_windows(series, window, horizon)
        try:
            X, y = _split_pair(make_windows(copy.deepcopy(series), window, horizon), window, horizon)
        except Exception:  # noqa: BLE001 - the engine's own message already explains a crash
            return message
        where = f"for a series of {len(series)} values, window = {window}, horizon = {horizon}"
        for name, got, expected in (("X", X, X_expected), ("y", y, y_expected)):
            if got.shape != expected.shape:
                return (f"{FAIL} make_windows gave {name} of shape {got.shape} {where}; expected "
                        f"{expected.shape} (windows × {'window' if name == 'X' else 'horizon'}).{hint}")
        for name, got, expected in (("X", X, X_expected), ("y", y, y_expected)):
            if not np.allclose(got, expected, rtol=1e-5, atol=1e-7):
                row = int(np.argwhere(~np.isclose(got, expected, rtol=1e-5, atol=1e-7))[0][0])
                return (f"{FAIL} make_windows gave a different {name} {where}: row {row} is "
                        f"{np.round(got[row], 4).tolist()}, expected {np.round(expected[row], 4).tolist()}.{hint}")
    return message


check_seasonal_naive = printer(evaluate_seasonal_naive)
check_forecast_errors = printer(evaluate_forecast_errors)
check_make_windows = printer(evaluate_make_windows)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"seasonal_naive": 1, "forecast_errors": 1, "make_windows": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "seasonal_naive": ("forecasting.seasonal_naive_forecast", "statsmodels"),
    "forecast_errors": ("forecasting.mae", "forecasting.mape", "sklearn.metrics", "keras.metrics",
                        "keras.losses", "mean_absolute_error", "mean_absolute_percentage_error"),
    "make_windows": ("forecasting.make_windows", "timeseries_dataset_from_array"),
}
