"""Forecasting a monthly series: the Mauna Loa CO2 record, baselines, windows, walk-forward scores, an explorer.

A forecast made at **origin** ``o`` sees ``series[:o]`` (everything before position ``o``) and
predicts ``series[o:o + horizon]``. A walk-forward evaluation moves the origin one step at a time
over the held-out period, so every model is scored on the same (origin, step ahead) pairs without
ever seeing the values it predicts. Introduced in notebook 38.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

SEASON = 12  # months in a year: the season of a monthly series

CO2_SOURCE = (
    "Keeling, C. D. and T. P. Whorf (2004). Atmospheric CO2 concentrations derived from flask air "
    "samples at sites in the SIO network. In: Trends: A Compendium of Data on Global Change. CDIAC, "
    "Oak Ridge National Laboratory. Weekly samples at Mauna Loa, Hawaii, March 1958 to December "
    "2001, as shipped with statsmodels (statsmodels.api.datasets.co2; public domain)."
)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

def weekly_co2() -> Any:
    """The weekly Mauna Loa CO2 record (ppm) as a pandas Series with a DatetimeIndex. Introduced in notebook 38."""
    import statsmodels.api as sm

    return sm.datasets.co2.load_pandas().data["co2"].rename("co2")


def monthly_co2() -> Any:
    """Monthly means of the weekly CO2 record (month-start index); months with no sample interpolated linearly.

    Introduced in notebook 38.
    """
    monthly = weekly_co2().resample("MS").mean()
    return monthly.interpolate(method="linear").rename("co2")


# ---------------------------------------------------------------------------------------------
# Checking inputs
# ---------------------------------------------------------------------------------------------

def _series(values: Any, name: str = "series") -> np.ndarray:
    """A finite 1-D float array, or a ValueError saying what is wrong."""
    if hasattr(values, "numpy") and callable(values.numpy):
        values = values.numpy()
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a 1-D sequence of numbers, got {type(values).__name__}") from error
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one value per time step), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values at positions "
                         f"{np.flatnonzero(~np.isfinite(array))[:5].tolist()}; fill or drop them first")
    return array


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------
# Trend, seasonality, stationarity
# ---------------------------------------------------------------------------------------------

def centered_moving_average(series: Any, season: int = SEASON) -> np.ndarray:
    """The trend as a centred moving average over one season (2 × m for an even m); NaN at both ends.

    Introduced in notebook 38.
    """
    y = _series(series)
    season = _positive_int(season, "season")
    if season % 2:
        weights = np.full(season, 1.0 / season)
    else:  # an even season: average two adjacent m-averages, i.e. half weight at both ends
        weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    half = len(weights) // 2
    trend = np.full_like(y, np.nan)
    if len(y) >= len(weights):
        trend[half:len(y) - half] = np.convolve(y, weights, mode="valid")
    return trend


def autocorrelation(series: Any, max_lag: int) -> np.ndarray:
    """The sample autocorrelation at lags 0 … max_lag (the biased estimator statsmodels' acf uses).

    Introduced in notebook 38.
    """
    y = _series(series)
    max_lag = _positive_int(max_lag, "max_lag")
    if max_lag >= len(y):
        raise ValueError(f"max_lag must be below the series length {len(y)}, got {max_lag}")
    centred = y - y.mean()
    denominator = np.sum(centred ** 2)
    return np.array([np.sum(centred[lag:] * centred[:len(y) - lag]) / denominator
                     for lag in range(max_lag + 1)])


def adf_test(series: Any) -> dict[str, float]:
    """The augmented Dickey-Fuller test: statistic, p-value, lags used, 5% critical value.

    A small p-value rejects a unit root (the series looks stationary). Works with statsmodels
    0.14 and 0.15. Introduced in notebook 38.
    """
    from statsmodels.tsa.stattools import adfuller

    y = _series(series)
    options: dict[str, Any] = {"autolag": "AIC"}
    if "result_object" in inspect.signature(adfuller).parameters:
        options["result_object"] = False  # the classic tuple, on the versions that offer both
    statistic, pvalue, lags, n_used, critical, *_ = adfuller(y, **options)
    return {"statistic": float(statistic), "pvalue": float(pvalue), "lags": int(lags),
            "observations": int(n_used), "critical_5%": float(critical["5%"])}


# ---------------------------------------------------------------------------------------------
# Baselines and metrics
# ---------------------------------------------------------------------------------------------

def naive_forecast(history: Any, horizon: int) -> np.ndarray:
    """Every future value equals the last one seen. Introduced in notebook 38."""
    y = _series(history, "history")
    return np.full(_positive_int(horizon, "horizon"), y[-1])


def seasonal_naive_forecast(history: Any, horizon: int, season: int = SEASON) -> np.ndarray:
    """Each future value equals the value one season earlier (the last season, repeated). Introduced in notebook 38."""
    y = _series(history, "history")
    horizon, season = _positive_int(horizon, "horizon"), _positive_int(season, "season")
    if len(y) < season:
        raise ValueError(f"history must hold at least one season ({season} values), got {len(y)}")
    steps = np.arange(horizon)
    return y[len(y) - season + steps % season]


def moving_average_forecast(history: Any, horizon: int, window: int = SEASON) -> np.ndarray:
    """Every future value equals the mean of the last ``window`` values. Introduced in notebook 38."""
    y = _series(history, "history")
    horizon, window = _positive_int(horizon, "horizon"), _positive_int(window, "window")
    if len(y) < window:
        raise ValueError(f"history must hold at least window = {window} values, got {len(y)}")
    return np.full(horizon, y[-window:].mean())


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    truth = np.asarray(y_true, dtype=np.float64)
    guess = np.asarray(y_pred, dtype=np.float64)
    if truth.shape != guess.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {truth.shape} and {guess.shape}")
    if truth.size == 0:
        raise ValueError("y_true is empty")
    return truth, guess


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error. Introduced in notebook 38."""
    truth, guess = _pair(y_true, y_pred)
    return float(np.mean(np.abs(truth - guess)))


def mape(y_true: Any, y_pred: Any) -> float:
    """Mean absolute percentage error, in percent of the true values. Introduced in notebook 38."""
    truth, guess = _pair(y_true, y_pred)
    if np.any(truth == 0):
        raise ValueError("MAPE is undefined where y_true is 0")
    return float(100 * np.mean(np.abs((truth - guess) / truth)))


# ---------------------------------------------------------------------------------------------
# Windows and walk-forward evaluation
# ---------------------------------------------------------------------------------------------

def make_windows(series: Any, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (input, target) pair of a series: X[i] = series[i:i+window], y[i] = the next ``horizon`` values.

    Introduced in notebook 38.
    """
    y = _series(series)
    window, horizon = _positive_int(window, "window"), _positive_int(horizon, "horizon")
    count = len(y) - window - horizon + 1
    if count < 1:
        raise ValueError(f"a series of {len(y)} values holds no window of {window} inputs plus "
                         f"{horizon} targets")
    starts = np.arange(count)[:, None]
    return y[starts + np.arange(window)], y[starts + window + np.arange(horizon)]


def walk_forward_origins(n_values: int, first_origin: int, horizon: int) -> np.ndarray:
    """Every origin from ``first_origin`` on whose whole horizon lies inside the series. Introduced in notebook 38."""
    n_values, horizon = _positive_int(n_values, "n_values"), _positive_int(horizon, "horizon")
    first_origin = _positive_int(first_origin, "first_origin")
    if first_origin + horizon > n_values:
        raise ValueError(f"no origin from {first_origin} on has {horizon} values after it in a series "
                         f"of {n_values}")
    return np.arange(first_origin, n_values - horizon + 1)


def future_values(series: Any, origins: Sequence[int], horizon: int) -> np.ndarray:
    """The true values after each origin, shape (origins, horizon). Introduced in notebook 38."""
    y = _series(series)
    origins = np.asarray(origins, dtype=int)
    if origins.min() < 1 or origins.max() + horizon > len(y):
        raise ValueError(f"origins must lie in 1 … {len(y) - horizon} for horizon {horizon}")
    return y[origins[:, None] + np.arange(horizon)]


def walk_forward(series: Any, origins: Sequence[int], horizon: int,
                 forecaster: Callable[[np.ndarray, int], Any]) -> np.ndarray:
    """``forecaster(series[:o], horizon)`` at every origin o, stacked to shape (origins, horizon).

    The forecaster never sees a value at or after its origin. Introduced in notebook 38.
    """
    y = _series(series)
    rows = []
    for origin in np.asarray(origins, dtype=int):
        forecast = np.asarray(forecaster(y[:origin].copy(), horizon), dtype=np.float64).reshape(-1)
        if forecast.shape != (horizon,):
            raise ValueError(f"the forecaster returned shape {forecast.shape} at origin {origin}; "
                             f"expected ({horizon},)")
        rows.append(forecast)
    return np.stack(rows)


def state_space_forecasts(results: Any, series: Any, origins: Sequence[int], horizon: int) -> np.ndarray:
    """Forecasts of a fitted statsmodels state-space model (e.g. SARIMAX) from every origin, parameters fixed.

    One Kalman-filter pass over the whole series gives the predicted state at every origin (it
    uses only the values before it); each forecast then iterates the transition matrix. Equals
    ``results.apply(series[:o]).forecast(horizon)`` at every origin, much faster. Introduced in
    notebook 38.
    """
    y = _series(series)
    origins = np.asarray(origins, dtype=int)
    if origins.min() < 1 or origins.max() > len(y):
        raise ValueError(f"origins must lie in 1 … {len(y)}")
    filtered = results.apply(y)
    ssm = filtered.model.ssm
    design, transition = np.asarray(ssm["design"]), np.asarray(ssm["transition"])
    intercept = np.asarray(ssm["obs_intercept"])
    state_intercept = np.asarray(ssm["state_intercept"])
    if design.ndim == 3 and design.shape[2] > 1 or transition.ndim == 3 and transition.shape[2] > 1:
        raise ValueError("only time-invariant state-space models (no exogenous regressors) are supported")
    design = design.reshape(design.shape[:2])
    transition = transition.reshape(transition.shape[:2])
    intercept = intercept.reshape(-1)[:1]
    state_intercept = state_intercept.reshape(-1, state_intercept.shape[-1])[:, 0]
    states = np.asarray(filtered.predicted_state)[:, origins].T  # state at o given series[:o]
    forecasts = np.empty((len(origins), horizon))
    for step in range(horizon):
        forecasts[:, step] = states @ design[0] + intercept[0]
        states = states @ transition.T + state_intercept
    return forecasts


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------

def forecast_explorer(dates: Any, series: Any, origins: Sequence[int], forecasts: Mapping[str, Any],
                      origin: int | None = None, context: int = 36) -> Explorer:
    """Move the forecast origin over the held-out period: each model's forecast against the truth.

    ``forecasts[name]`` has shape (origins, horizon), as :func:`walk_forward` returns it; the
    right panel shows each model's MAE at this origin beside its MAE over all origins.
    Introduced in notebook 38.
    """
    import pandas as pd

    y = _series(series)
    dates = pd.DatetimeIndex(dates)
    if len(dates) != len(y):
        raise ValueError(f"dates and series must have the same length, got {len(dates)} and {len(y)}")
    origins = np.asarray(origins, dtype=int)
    if not forecasts:
        raise ValueError("forecasts must map model names to arrays of shape (origins, horizon)")
    tables = {name: np.asarray(value, dtype=np.float64) for name, value in forecasts.items()}
    horizon = next(iter(tables.values())).shape[-1]
    for name, table in tables.items():
        if table.shape != (len(origins), horizon):
            raise ValueError(f"forecasts[{name!r}] has shape {table.shape}; expected ({len(origins)}, {horizon})")
    truth = future_values(y, origins, horizon)
    labels = [dates[o - 1].strftime("%Y-%m") for o in origins]  # the last month seen
    origin = int(origins[0]) if origin is None else int(origin)
    if origin not in set(origins.tolist()):
        raise ValueError(f"origin {origin} is not one of the walk-forward origins {origins[0]} … {origins[-1]}")
    names = list(tables)
    errors = {name: np.abs(tables[name] - truth).mean(axis=1) for name in names}
    overall = {name: float(errors[name].mean()) for name in names}
    x = dates.to_numpy()
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        left, right = fig.subplots(1, 2, width_ratios=[2.3, 1.0])
        (parts["history"],) = left.plot([], [], color="0.35", linewidth=1.5, label="seen at the origin")
        (parts["truth"],) = left.plot([], [], color="k", linewidth=2.0, marker="o", markersize=3,
                                      label="truth (not seen)")
        parts["lines"] = {}
        for k, name in enumerate(names):
            (parts["lines"][name],) = left.plot([], [], color=PALETTE[k % len(PALETTE)], linewidth=1.6,
                                                linestyle="--" if k < 3 else "-", label=name)
        parts["origin"] = left.axvline(x[0], color="0.5", linewidth=1, linestyle=":")
        left.set(xlabel="month", ylabel="CO$_2$ (ppm)")
        left.legend(loc="upper left", fontsize=8)
        positions = np.arange(len(names))
        parts["bars"] = right.barh(positions, np.zeros(len(names)),
                                   color=[PALETTE[k % len(PALETTE)] for k in range(len(names))])
        right.plot([overall[name] for name in names], positions, linestyle="none", marker="|",
                   markersize=18, color="k", label="over all origins")
        right.set_yticks(positions, names)
        right.invert_yaxis()
        top = max(max(overall.values()), max(float(e.max()) for e in errors.values()))
        right.set(xlim=(0, 1.05 * top), xlabel="MAE (ppm)", title="MAE at this origin")
        right.legend(loc="lower right", fontsize=8)

    def draw(fig: Figure, origin: int) -> str:
        if not parts:
            build(fig)
        index = int(np.searchsorted(origins, origin))
        start = max(origin - context, 0)
        parts["history"].set_data(x[start:origin], y[start:origin])
        future = x[origin:origin + horizon]
        parts["truth"].set_data(future, truth[index])
        for name in names:
            # each forecast line starts at the last value seen, so it reads as a continuation
            parts["lines"][name].set_data(np.r_[x[origin - 1:origin], future],
                                          np.r_[y[origin - 1], tables[name][index]])
        parts["origin"].set_xdata([x[origin - 1], x[origin - 1]])
        left = fig.axes[0]
        shown = np.r_[y[start:origin], truth[index], *[tables[n][index] for n in names]]
        left.set_xlim(x[start], x[origin + horizon - 1] + np.timedelta64(20, "D"))
        left.set_ylim(shown.min() - 0.8, shown.max() + 0.8)
        left.set_title(f"{horizon}-month forecasts made at the end of {dates[origin - 1].strftime('%Y-%m')}")
        for bar, name in zip(parts["bars"], names):
            bar.set_width(errors[name][index])
        best = min(names, key=lambda name: errors[name][index])
        scores = ", ".join(f"{name} {errors[name][index]:.2f}" for name in names)
        return f"data up to {labels[index]}: MAE (ppm) {scores}; best here: {best}"

    control = ipw.SelectionSlider(options=[(label, int(o)) for label, o in zip(labels, origins)],
                                  value=origin, description="data up to", continuous_update=False,
                                  layout=ipw.Layout(width="520px"))
    return Explorer({"origin": control}, draw, figsize=(10.0, 4.2), rebuild=False)
